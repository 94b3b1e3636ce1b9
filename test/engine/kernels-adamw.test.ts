import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAMW_KERNEL, FUSED_MAX_ELEMENTS, adamwUpdate, sumOfSquares, type AdamWParams } from '../../src-main/core/engine/backend/fused-adamw';
import { checkAgainstReference, randomFloats } from '../../src-main/core/engine/backend/kernel-check';
import { initBackend } from '../../src-main/core/engine/backend/select';

// The fused AdamW and sum-of-squares kernels against the same arithmetic in tf ops on the
// stock cpu backend (where our kernels are absent, adamwUpdate/sumOfSquares use tf ops).

beforeAll(async () => {
  await initBackend('wasm');
});

const t = (shape: number[], seed: number, lo = -1, hi = 1) =>
  tf.tensor(randomFloats(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);

const PARAMS: [string, AdamWParams][] = [
  ['first step, no decay', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1, weightDecay: 0 }],
  ['step 50, decay, clipped gradient', { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 50, weightDecay: 0.01, gradScale: 0.25 }],
  ['other betas', { lr: 0.1, beta1: 0.5, beta2: 0.9, eps: 1e-6, step: 3, weightDecay: 0.1 }],
];

describe('adamwUpdate', () => {
  it('uses one kernel for small tensors and tf ops above FUSED_MAX_ELEMENTS', async () => {
    await tf.setBackend('wasm');
    const p = PARAMS[1][1];
    const kernels = async (n: number) => {
      const prof = await tf.profile(() => adamwUpdate(tf.ones([n]), tf.zeros([n]), tf.zeros([n]), tf.ones([n]), p));
      tf.dispose(prof.result as tf.Tensor[]);
      return prof.kernelNames;
    };
    expect(await kernels(FUSED_MAX_ELEMENTS)).toContain(ADAMW_KERNEL);
    const big = await kernels(FUSED_MAX_ELEMENTS + 1);
    expect(big).not.toContain(ADAMW_KERNEL);
    expect(big).toEqual(expect.arrayContaining(['Sqrt', 'RealDiv']));
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it.each(PARAMS)(`${backend}: %s`, async (_n, p) => {
      const fn = () => {
        const shape = [37, 5];
        // v ≥ 0 as a second moment is
        return adamwUpdate(t(shape, 1), t(shape, 2, -0.1, 0.1), t(shape, 3, 0, 0.01), t(shape, 4), p);
      };
      const r = await checkAgainstReference(backend, fn);
      expect(r.shapesMatch).toBe(true);
      expect(r.error).toBeLessThanOrEqual(1e-5);
    });
  }

  it('rejects moments of another shape', async () => {
    await tf.setBackend('wasm');
    const p = PARAMS[0][1];
    expect(() => adamwUpdate(tf.zeros([3]), tf.zeros([3]), tf.zeros([4]), tf.zeros([3]), p)).toThrow(/x, m, v, g must be float32 of one shape/);
  });
});

describe('sumOfSquares', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`${backend}: sums over several tensors`, async () => {
      const r = await checkAgainstReference(backend, () => sumOfSquares([t([4, 3], 5), t([7], 6), t([1], 7), t([2, 2, 2], 8)]));
      expect(r.shapesMatch).toBe(true);
      expect(r.error).toBeLessThanOrEqual(1e-6);
    });
  }

  it('is 0 for no tensors', async () => {
    const s = sumOfSquares([]);
    expect((await s.data())[0]).toBe(0);
    s.dispose();
  });
});
