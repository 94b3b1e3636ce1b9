import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../../src-main/core/bench/bench';
import { matmulFlops, matmulShapes } from '../../src-main/core/bench/flops';
import { renderBench } from '../../src-main/cli/bench-command';
import { useTestBackend } from '../engine/setup';

beforeAll(useTestBackend);

describe('matmulFlops', () => {
  const a = () => tf.randomNormal([6, 4]) as tf.Tensor2D;
  it('counts 2·M·N·K for plain, transposed and batched products', async () => {
    expect(await matmulFlops(() => tf.matMul(a(), tf.randomNormal([4, 5])))).toBe(2 * 6 * 5 * 4);
    expect(await matmulFlops(() => tf.matMul(a(), tf.randomNormal([5, 4]), false, true))).toBe(2 * 6 * 5 * 4);
    expect(await matmulFlops(() => tf.matMul(tf.randomNormal([4, 6]), tf.randomNormal([4, 5]), true, false))).toBe(2 * 6 * 5 * 4);
    expect(await matmulFlops(() => tf.matMul(tf.randomNormal([3, 6, 4]), tf.randomNormal([3, 4, 5])))).toBe(3 * 2 * 6 * 5 * 4);
  });
  it('counts the gradient products too, and ignores element-wise work', async () => {
    const w = tf.variable(tf.randomNormal([4, 5]));
    const x = a();
    const flops = await matmulFlops(() => {
      const g = tf.variableGrads(() => tf.sum(tf.relu(tf.matMul(x, w))) as tf.Scalar, [w]);
      tf.dispose(g.grads);
      g.value.dispose();
    });
    // forward x·w, and the gradient xᵀ·dy (w's gradient only)
    expect(flops).toBe(2 * (2 * 6 * 5 * 4));
    expect(await matmulFlops(() => tf.add(x, x))).toBe(0);
  });
});

describe('matmulShapes', () => {
  it('reads back shapes and transposes, largest share of FLOPs first', async () => {
    const shapes = await matmulShapes(() => {
      tf.matMul(tf.randomNormal([6, 4]), tf.randomNormal([5, 4]), false, true);
      tf.matMul(tf.randomNormal([40, 6]), tf.randomNormal([40, 7]), true, false);
      tf.matMul(tf.randomNormal([40, 6]), tf.randomNormal([40, 7]), true, false);
    });
    expect(shapes).toEqual([
      { m: 6, k: 40, n: 7, batch: 1, transposeA: true, transposeB: false, flops: 2 * 2 * 6 * 40 * 7 },
      { m: 6, k: 4, n: 5, batch: 1, transposeA: false, transposeB: true, flops: 2 * 6 * 4 * 5 },
    ]);
  });
});

describe('dreamprm bench --quick', () => {
  it('measures every figure in one run and renders them against the targets', async () => {
    const r = await runBench({ quick: true });
    expect(r.backend).toBe(tf.getBackend());
    expect(Object.keys(r.stepMs).sort()).toEqual(
      ['domain@1', 'domain@5', 'instance-net@1', 'instance-net@5', 'instance-table@1', 'instance-table@5', 'uniform@1'].sort(),
    );
    for (const k of Object.keys(r.overhead)) expect(r.overhead[k]).toBeGreaterThan(0);
    expect(r.trainGflops).toBeGreaterThan(0);
    expect(r.matmulGflops.length).toBeGreaterThan(0);
    expect(r.instanceTableScale).toBeGreaterThan(0.5);
    expect(r.importStepsPerSec).toBeGreaterThan(1000);
    expect(r.snapshotMs).toBeGreaterThan(0);
    expect(r.weightPageMs).toBeGreaterThan(0);
    expect(r.weightPageInstances).toBe(200_000);
    expect(r.demoSeconds).toBeNull();
    const text = renderBench(r);
    expect(text).toMatch(/domain@5 .* ≤ 1\.4 (met|MISSED)/);
    expect(text).toMatch(/demoSeconds\s+not run/);
  }, 300_000);
});
