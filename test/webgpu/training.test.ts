import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildEngine, disposeEngine } from '../../src-main/core/engine/build';
import { parseTrainConfig, type TrainConfig } from '../../src-main/core/engine/config';
import type { StepReport } from '../../src-main/core/engine/engine';
import { startBackend } from '../../src-main/core/engine/tf-backend';
import { disposeTrainingData, tensorsFromRaw } from '../../src-main/core/engine/training-data';
import { imageTableOf, synthCorpus } from '../engine/synthetic';
import { useSoftwareGpu } from './software-gpu';

// Three steps per method on SwiftShader (≈0.2 GFLOP/s) with a tiny PRM, against the cpu backend.
const skip = await useSoftwareGpu();
const corpus = synthCorpus(3, [
  { name: 'a', cots: 8, corrupt: 0 },
  { name: 'b', cots: 8, corrupt: 0.5 },
], 6);
/** float32 sums in another order: the losses of three steps agree to ~1e-7 here (measured 3e-8–1.2e-7) */
const TOLERANCE = 1e-4;

function config(method: string, over: Record<string, unknown> = {}): TrainConfig {
  return parseTrainConfig({
    method,
    steps: 3,
    batchSize: 4,
    metaBatchSize: 4,
    model: { embedDim: 8, hidden: 8, vocabSize: 48, bigramBuckets: 8, patchChannels: 4, readerHeads: 2, maxSteps: 4, maxStepTokens: 8, maxQuestionTokens: 8 },
    ...over,
    upper: { unroll: 1, ...((over.upper as object) ?? {}) },
  });
}

async function losses(backend: 'cpu' | 'webgpu', c: TrainConfig): Promise<number[]> {
  // as the trainer asks: its step reads asynchronously (reads.ts)
  const b = await startBackend(backend, { model: c.model, syncReads: false });
  expect(b.name).toBe(backend);
  const data = tensorsFromRaw(corpus.train, corpus.meta, c.model, imageTableOf(corpus));
  const engine = buildEngine(data, c);
  try {
    const out: number[] = [];
    for (let i = 0; i < c.steps; i++) {
      const r: StepReport = await engine.runStepAsync();
      out.push(r.trainLoss, r.weightedLoss, r.metaLoss ?? 0);
    }
    return out;
  } finally {
    disposeEngine(engine);
    disposeTrainingData(data);
  }
}

describe.skipIf(skip !== null)('training on webgpu (SwiftShader) matches cpu', () => {
  it.each([
    ['uniform', {}],
    ['domain', {}],
    ['domain', { upper: { hypergradient: 'exact' } }],
    ['instance-table', {}],
    ['instance-net', {}],
  ])('%s %j: losses of 3 steps within 1e-4', async (method, over) => {
    const c = config(method, over);
    const want = await losses('cpu', c);
    const got = await losses('webgpu', c);
    const diff = Math.max(...want.map((w, i) => Math.abs(w - got[i])));
    console.log(`${method} ${JSON.stringify(over)}: max |loss diff| webgpu vs cpu ${diff.toExponential(2)}`);
    expect(got.every(Number.isFinite)).toBe(true);
    expect(diff).toBeLessThan(TOLERANCE);
    expect(tf.getBackend()).toBe('webgpu');
  }, 300_000); // SwiftShader compiles every shader on first use: ~20 s alone, more beside other tests
});
