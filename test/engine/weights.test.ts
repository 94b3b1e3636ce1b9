import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngine, disposeEngine } from '../../src-main/core/engine/build';
import type { Batch } from '../../src-main/core/engine/batch';
import { Rng } from '../../src-main/core/engine/rng';
import { disposeTrainingData, tensorsFromRaw, type TrainingData } from '../../src-main/core/engine/training-data';
import { createWeighting } from '../../src-main/core/engine/upper';
import { imageTableOf, synthCorpus } from './synthetic';
import { tinyConfig, useTestBackend } from './setup';
import { runSync } from '../../src-main/core/engine/reads';

beforeAll(useTestBackend);

const corpus = synthCorpus(4, [
  { name: 'a', cots: 30, corrupt: 0 },
  { name: 'b', cots: 30, corrupt: 0.3 },
  { name: 'c', cots: 30, corrupt: 0.6 },
], 24);

describe('learned weights', () => {
  const datas: TrainingData[] = [];
  afterAll(() => datas.forEach(disposeTrainingData));
  const setup = (method: string, over: Record<string, unknown>) => {
    const config = tinyConfig(method, over);
    const data = tensorsFromRaw(corpus.train, corpus.meta, config.model, imageTableOf(corpus));
    datas.push(data);
    return buildEngine(data, config);
  };

  it('domain weights stay positive with mean 1', () => {
    const engine = setup('domain', { steps: 30, upper: { metaLr: 0.5, unroll: 1 } });
    let moved = false;
    for (let i = 0; i < 30; i++) {
      engine.runStep();
      const w = engine.upper.weighting.domainWeights();
      expect(w.every((x) => x > 0)).toBe(true);
      expect(w.reduce((a, b) => a + b, 0) / w.length).toBeCloseTo(1, 5);
      if (w.some((x) => Math.abs(x - 1) > 0.01)) moved = true;
    }
    expect(moved).toBe(true);
    disposeEngine(engine);
  });

  it('a single training domain keeps weight 1', () => {
    const one = synthCorpus(6, [{ name: 'only', cots: 20, corrupt: 0 }], 10);
    const config = tinyConfig('domain', { steps: 4, upper: { unroll: 1, metaLr: 1 } });
    const data = tensorsFromRaw(one.train, one.meta, config.model, imageTableOf(one));
    datas.push(data);
    const engine = buildEngine(data, config);
    for (let i = 0; i < 4; i++) engine.runStep();
    expect(engine.upper.weighting.domainWeights()).toEqual([1]);
    disposeEngine(engine);
  });

  it('instance-table weights stay within [lo, hi] while the raw table moves past them', () => {
    const engine = setup('instance-table', { steps: 40, upper: { metaLr: 2, lo: 0.5, hi: 1.5 } });
    for (let i = 0; i < 40; i++) engine.runStep();
    const w = engine.upper.weighting.instanceWeights()!;
    expect(Math.min(...w)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...w)).toBeLessThanOrEqual(1.5);
    expect(w.some((x) => x !== 1)).toBe(true);
    disposeEngine(engine);
  });

  it('instance-net weights stay within (lo, hi) and start at 1', () => {
    const engine = setup('instance-net', { steps: 20, upper: { metaLr: 0.05, lo: 0, hi: 2 } });
    engine.runStep();
    // An untrained net gives every instance a weight close to 1 (its output bias sets 1).
    const first = engine.upper.weighting.instanceWeights()!;
    expect(Math.min(...first)).toBeGreaterThan(0.9);
    expect(Math.max(...first)).toBeLessThan(1.1);
    for (let i = 0; i < 19; i++) engine.runStep();
    const w = engine.upper.weighting.instanceWeights()!;
    expect(Math.min(...w)).toBeGreaterThan(0);
    expect(Math.max(...w)).toBeLessThan(2);
    disposeEngine(engine);
  });
});

describe('instance table at scale', () => {
  /** An instance-table step needs only the batch's rows: indices and a hypergradient. */
  const fakeBatch = (index: Int32Array) => ({ B: index.length, index }) as unknown as Batch;

  const timeSteps = (n: number) => {
    const config = tinyConfig('instance-table', { upper: { metaLr: 0.01 } });
    const domains = new Int32Array(n);
    const w = createWeighting({ config, domainCount: 1, instanceDomains: domains, rng: new Rng(1) });
    const table = w as unknown as { beta: Float32Array; opt: { lastTouched: number; t: Uint32Array } };
    const rng = new Rng(2);
    const probs = tf.zeros([32, 4]) as tf.Tensor2D;
    const h = Float32Array.from({ length: 32 }, () => rng.normal());
    const batches = Array.from({ length: 50 }, () => Int32Array.from({ length: 32 }, () => rng.int(n)));
    let touched = 0;
    const t0 = performance.now();
    for (let rep = 0; rep < 20; rep++) {
      for (const idx of batches) {
        const wt = w.weights(fakeBatch(idx), probs);
        wt.dispose();
        runSync(w.stepReads(fakeBatch(idx), probs, h, 0.01));
        touched = Math.max(touched, table.opt.lastTouched);
      }
    }
    const ms = (performance.now() - t0) / 1000;
    probs.dispose();
    const stepsTaken = table.opt.t.reduce((a, b) => a + b, 0);
    return { ms, touched, stepsTaken, table };
  };

  it('costs about the same per step with 1,000,000 instances as with 10,000', () => {
    timeSteps(10_000); // warm up the JIT
    const small = timeSteps(10_000);
    const big = timeSteps(1_000_000);
    // Touches only the batch's rows (at most 32 per step, whatever the table's size)...
    expect(small.touched).toBeLessThanOrEqual(32);
    expect(big.touched).toBeLessThanOrEqual(32);
    expect(big.stepsTaken).toBeLessThanOrEqual(1000 * 32);
    // ... and leaves every other row alone.
    const touchedRows = big.table.opt.t.reduce((n, t) => n + (t > 0 ? 1 : 0), 0);
    const changed = big.table.beta.reduce((n, b) => n + (b !== 1 ? 1 : 0), 0);
    expect(changed).toBeLessThanOrEqual(touchedRows);
    // Wall clock, loosely: a step at 1M rows (cache misses only) must stay far below one dense
    // AdamW pass over the table, which is what a tf.Variable of 1M rows would cost every step.
    const m = new Float32Array(1_000_000), v = new Float32Array(1_000_000), beta = big.table.beta;
    const t0 = performance.now();
    for (let i = 0; i < beta.length; i++) {
      m[i] = 0.9 * m[i] + 0.1 * 0.001;
      v[i] = 0.999 * v[i] + 0.001 * 1e-6;
      beta[i] -= (0.01 * m[i]) / (Math.sqrt(v[i]) + 1e-8);
    }
    const dense = performance.now() - t0;
    console.log(
      `instance-table step: ${small.ms.toFixed(4)} ms at 10k, ${big.ms.toFixed(4)} ms at 1M instances; one dense pass over 1M: ${dense.toFixed(2)} ms`,
    );
    expect(big.ms).toBeLessThan(dense / 4);
  });
});
