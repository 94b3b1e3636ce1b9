import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstReference, randomFloats } from '../../src-main/core/engine/backend/kernel-check';
import { initBackend } from '../../src-main/core/engine/backend/select';
import { blockSwap } from '../../src-main/core/engine/backend/transpose-kernel';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('blockSwap recognises adjacent-group swaps', () => {
  it.each([
    [[4, 5], [1, 0], { outer: 1, R: 4, C: 5, inner: 1 }],
    [[2, 4, 5], [0, 2, 1], { outer: 2, R: 4, C: 5, inner: 1 }],
    [[4, 5, 3], [1, 0, 2], { outer: 1, R: 4, C: 5, inner: 3 }],
    [[2, 3, 4, 5], [2, 3, 0, 1], { outer: 1, R: 6, C: 20, inner: 1 }],
    [[2, 3, 4], [2, 0, 1], { outer: 1, R: 6, C: 4, inner: 1 }],
    [[2, 3, 4], [1, 2, 0], { outer: 1, R: 2, C: 12, inner: 1 }],
    [[1, 4, 5], [0, 2, 1], { outer: 1, R: 4, C: 5, inner: 1 }],
    [[4, 1, 5], [2, 1, 0], { outer: 1, R: 4, C: 5, inner: 1 }],
  ])('shape %j perm %j', (shape, perm, want) => {
    expect(blockSwap(shape, perm)).toEqual(want);
  });

  it.each([
    [[2, 3, 4], [2, 1, 0]],
    [[2, 3, 4, 5], [1, 0, 3, 2]],
    [[2, 3], [0, 1]],
  ])('not for shape %j perm %j', (shape, perm) => {
    expect(blockSwap(shape, perm)).toBeNull();
  });
});

const CASES: [number[], number[]][] = [
  [[1, 1], [1, 0]],
  [[1, 9], [1, 0]],
  [[7, 1], [1, 0]],
  [[13, 17], [1, 0]],
  [[2304, 192], [1, 0]],
  [[4096, 64], [1, 0]],
  [[3, 5, 7], [0, 2, 1]],
  [[8, 6, 48], [1, 0, 2]],
  [[2, 3, 4, 5], [2, 3, 0, 1]],
  [[2, 3, 4], [2, 0, 1]],
  [[2, 3, 4], [2, 1, 0]],
  [[2, 3, 4, 5], [1, 0, 3, 2]],
  [[0, 3], [1, 0]],
];

describe('Transpose matches the cpu reference', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it.each(CASES)(`${backend}: shape %j perm %j (value and gradient)`, async (shape, perm) => {
      const fn = () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = tf.tensor(randomFloats(n, 41), shape);
        const y = tf.transpose(x, perm);
        const w = tf.tensor(randomFloats(n, 42), y.shape);
        const g = tf.grad((v: tf.Tensor) => tf.transpose(v, perm).mul(w).sum())(x);
        return [y, g];
      };
      const r = await checkAgainstReference(backend, fn);
      expect(r.shapesMatch).toBe(true);
      expect(r.error).toBe(0);
    });

    it(`${backend}: transposes int32 exactly`, async () => {
      await tf.setBackend(backend);
      const y = tf.transpose(tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'));
      expect(y.dtype).toBe('int32');
      expect(Array.from(await y.data())).toEqual([1, 4, 2, 5, 3, 6]);
      y.dispose();
      await tf.setBackend('wasm');
    });
  }
});

describe('kernels registered before the backend starts', () => {
  it('still reach the stock kernel for what they do not handle (its setup ran)', async () => {
    // Restart wasm with a new module instance: the engine runs the registered kernels'
    // setupFuncs again, ours passing on the stock ones (else the stock C++ call would go to
    // the disposed module).
    const engine = tf.engine() as unknown as { registryFactory: Record<string, { factory: () => Promise<tf.KernelBackend>; priority: number }> };
    const { factory, priority } = engine.registryFactory.wasm;
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory, priority);
    expect(await tf.setBackend('wasm')).toBe(true);
    // [2,1,0] is not an adjacent-group swap: the stock C++ transpose runs.
    const y = tf.transpose(tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), [2, 1, 0]);
    expect(Array.from(await y.data())).toEqual([1, 5, 3, 7, 2, 6, 4, 8]);
    const z = tf.matMul(tf.ones([4, 3]), tf.ones([4, 2]), true, false);
    expect(Array.from(await z.data()).every((v) => v === 4)).toBe(true);
    tf.dispose([y, z]);
  });
});
