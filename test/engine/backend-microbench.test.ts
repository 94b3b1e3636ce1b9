import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { prmLikeStep } from '../../src-main/core/bench/bench-model';
import {
  allTransposes,
  denseLayerShapes,
  describeMatmul,
  median,
  microbenchGather,
  microbenchMatmul,
  microbenchSegmentSum,
  profileKernels,
  timeSteps,
} from '../../src-main/core/bench/microbench';
import { initBackend } from '../../src-main/core/engine/backend/select';

// The measurement helpers the bench command calls: names, arithmetic, and no leaks.

beforeAll(async () => {
  await initBackend('wasm');
});

describe('microbench helpers', () => {
  it('names shapes and lists a dense layer’s three products and the four transposes', () => {
    expect(denseLayerShapes(2304, 192, 64).map(describeMatmul)).toEqual([
      '[2304,192]·[192,64]',
      '[2304,64]·[64,192]ᵀ',
      '[192,2304]ᵀ·[2304,64]',
    ]);
    expect(allTransposes(4, 5, 6).map(describeMatmul)).toEqual(['[4,5]·[5,6]', '[4,5]·[5,6]ᵀ', '[4,5]ᵀ·[5,6]', '[4,5]ᵀ·[5,6]ᵀ']);
    expect(describeMatmul({ batch: 8, m: 2, k: 3, n: 4, sharedB: true })).toBe('8×[2,3]·[3,4]');
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('measures GFLOP/s and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const r = await microbenchMatmul([{ m: 32, k: 16, n: 8, transposeA: true }, { batch: 3, m: 4, k: 5, n: 6 }], { reps: 3 });
    expect(r.map((x) => x.shape)).toEqual(['[32,16]ᵀ·[16,8]', '3×[4,5]·3×[5,6]']);
    for (const x of r) {
      expect(x.ms).toBeGreaterThan(0);
      expect(x.gflops).toBeCloseTo((2 * 32 * 16 * 8 * (x === r[0] ? 1 : 0) + 2 * 3 * 4 * 5 * 6 * (x === r[1] ? 1 : 0)) / (x.ms * 1e6), 6);
    }
    const s = await microbenchSegmentSum(64, 4, 100, { reps: 3 });
    expect(s.shape).toBe('[64,4]→[100,4]');
    const g = await microbenchGather(64, 4, 100, { reps: 3 });
    expect(g.shape).toBe('[100,4][64]');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('times and profiles a training step, disposing what the step returns', async () => {
    const m = prmLikeStep({ batch: 4, patches: 4, patchFeatures: 12, patchDim: 8, tokens: 3, vocab: 30, embedDim: 8, hidden: 8 });
    const before = tf.memory().numTensors;
    const t = await timeSteps(m.step, { reps: 4, warmup: 1 });
    expect(t.runs).toBe(4);
    expect(t.minMs).toBeLessThanOrEqual(t.medianMs);
    expect(t.medianMs).toBeLessThanOrEqual(t.maxMs);
    const prof = await profileKernels(m.step);
    expect(prof.map((k) => k.kernel)).toEqual(expect.arrayContaining(['BatchMatMul', 'GatherV2', 'UnsortedSegmentSum', 'DreamprmAdamW']));
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
