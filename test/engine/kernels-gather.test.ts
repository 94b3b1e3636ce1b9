import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstReference, randomFloats } from '../../src-main/core/engine/backend/kernel-check';
import { scatterAdd } from '../../src-main/core/engine/backend/segment-sum';
import { initBackend } from '../../src-main/core/engine/backend/select';

// UnsortedSegmentSum and GatherV2 (an embedding lookup and its gradient), ours on wasm and
// on cpu, against the stock cpu kernels; relative error ≤ 1e-5 (they are exact here).
const TOL = 1e-5;
const BACKENDS = ['wasm', 'cpu'] as const;

beforeAll(async () => {
  await initBackend('wasm');
});

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomFloats(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** int32 ids; typed 1-D because tfjs's signatures say so, though some cases pass 2-D ids. */
function ints(values: number[], shape?: number[]): tf.Tensor1D {
  return tf.tensor(values, shape ?? [values.length], 'int32') as unknown as tf.Tensor1D;
}

interface SegCase {
  name: string;
  x: number[];
  ids: number[];
  idsShape?: number[];
  n: number;
  /** tfjs's gradient cannot run this case: it gathers at every id, also past numSegments */
  valueOnly?: boolean;
}

const segCases: SegCase[] = [
  { name: 'rows with repeats and a negative id', x: [10, 3], ids: [0, 2, 2, 5, -1, 4, 0, 1, 1, 3], n: 6 },
  { name: 'an id past numSegments (dropped)', x: [4, 3], ids: [0, 9, 1, 1], n: 3, valueOnly: true },
  { name: 'a vector (inner size 1)', x: [6], ids: [1, 1, 0, 3, 3, 3], n: 4 },
  { name: 'one segment', x: [5, 2], ids: [0, 0, 0, 0, 0], n: 1 },
  { name: 'more segments than rows', x: [3, 7], ids: [40, 2, 40], n: 50 },
  { name: 'an embedding-gradient shape', x: [96, 16], ids: Array.from({ length: 96 }, (_, i) => (i * 37) % 200), n: 200 },
];

describe('UnsortedSegmentSum matches the cpu reference', () => {
  for (const backend of BACKENDS) {
    it.each(segCases.map((c) => [c.name, c] as const))(`${backend}: %s`, async (_n, c) => {
      const fn = () => {
        const x = rand(c.x, 11);
        const ids = ints(c.ids, c.idsShape);
        const y = tf.unsortedSegmentSum(x, ids, c.n);
        if (c.valueOnly) return [y];
        const w = rand(y.shape, 12);
        const g = tf.grad((v: tf.Tensor) => tf.unsortedSegmentSum(v, ids, c.n).mul(w).sum())(x);
        return [y, g];
      };
      const r = await checkAgainstReference(backend, fn);
      expect(r.shapesMatch).toBe(true);
      expect(r.error).toBeLessThanOrEqual(TOL);
    });

    it(`${backend}: keeps int32 and rejects ids that do not match x`, async () => {
      await tf.setBackend(backend);
      const y = tf.unsortedSegmentSum(tf.tensor([1, 2, 3, 4], [4], 'int32'), ints([1, 0, 1, 1]), 2);
      expect(y.dtype).toBe('int32');
      expect(Array.from(await y.data())).toEqual([2, 8]);
      y.dispose();
      expect(() => tf.unsortedSegmentSum(tf.zeros([4, 2]), ints([0, 1, 0]), 2)).toThrow(/segmentIds shape \[3\] must be a prefix of x shape \[4,2\]/);
      await tf.setBackend('wasm');
    });
  }

  it('sums over multi-dimensional ids (the stock cpu kernel cannot broadcast them)', async () => {
    const xv = randomFloats(24, 13);
    const ids = [0, 1, 0, 2, 2, 1];
    const expected = new Float32Array(12);
    for (let r = 0; r < 6; r++) for (let j = 0; j < 4; j++) expected[ids[r] * 4 + j] += xv[r * 4 + j];
    for (const backend of BACKENDS) {
      await tf.setBackend(backend);
      const y = tf.unsortedSegmentSum(tf.tensor(xv, [2, 3, 4]), ints(ids, [2, 3]), 3);
      expect(y.shape).toEqual([3, 4]);
      expect(Array.from(await y.data())).toEqual(Array.from(expected));
      y.dispose();
    }
    await tf.setBackend('wasm');
  });

  it('scatters [8192,64] into 65,536 segments exactly and in linear time', async () => {
    // The stock cpu kernel is O(segments × elements): hours here. Compare with a plain loop.
    await tf.setBackend('wasm');
    const rows = 8192;
    const width = 64;
    const vocab = 65536;
    const xv = randomFloats(rows * width, 21);
    const idv = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % vocab);
    const expected = new Float32Array(vocab * width);
    scatterAdd(xv, idv, vocab, width, expected);
    for (const backend of BACKENDS) {
      await tf.setBackend(backend);
      const x = tf.tensor(xv, [rows, width]);
      const ids = tf.tensor1d(idv, 'int32');
      const t0 = performance.now();
      const y = tf.unsortedSegmentSum(x, ids, vocab);
      const got = await y.data();
      const ms = performance.now() - t0;
      expect(y.shape).toEqual([vocab, width]);
      let same = true;
      for (let i = 0; i < expected.length && same; i++) same = got[i] === expected[i];
      expect(same, backend).toBe(true);
      // Generous for a busy shared machine; the quadratic kernel would take hours.
      expect(ms, backend).toBeLessThan(2000);
      tf.dispose([x, ids, y]);
    }
    await tf.setBackend('wasm');
  });
});

interface GatherCase {
  name: string;
  x: number[];
  idx: number[];
  idxShape?: number[];
  axis: number;
  batchDims?: number;
}

const gatherCases: GatherCase[] = [
  { name: 'rows of a table (embedding lookup)', x: [50, 8], idx: [3, 3, 0, 49, 7], axis: 0 },
  { name: 'a vector', x: [9], idx: [8, 0, 4, 4], axis: 0 },
  { name: 'axis 1', x: [4, 6, 3], idx: [5, 0, 2], axis: 1 },
  { name: 'last axis', x: [3, 5], idx: [4, 1], axis: 1 },
  { name: 'a matrix of indices', x: [20, 4], idx: [1, 2, 3, 19, 0, 0], idxShape: [2, 3], axis: 0 },
  { name: 'batchDims 1', x: [3, 5, 2], idx: [0, 4, 1, 1, 2, 3], idxShape: [3, 2], axis: 1, batchDims: 1 },
  { name: 'no indices', x: [4, 3], idx: [], axis: 0 },
];

describe('GatherV2 matches the cpu reference', () => {
  for (const backend of BACKENDS) {
    it.each(gatherCases.map((c) => [c.name, c] as const))(`${backend}: %s (value and gradient)`, async (_n, c) => {
      const fn = () => {
        const x = rand(c.x, 31);
        const idx = ints(c.idx, c.idxShape);
        const y = tf.gather(x, idx, c.axis, c.batchDims);
        const w = rand(y.shape, 32);
        const g = tf.grad((v: tf.Tensor) => tf.gather(v, idx, c.axis, c.batchDims).mul(w).sum())(x);
        return [y, g];
      };
      const r = await checkAgainstReference(backend, fn);
      expect(r.shapesMatch).toBe(true);
      expect(r.error).toBeLessThanOrEqual(TOL);
    });

    it(`${backend}: gathers int32 values and refuses an index out of range`, async () => {
      await tf.setBackend(backend);
      const y = tf.gather(tf.tensor([10, 20, 30], [3], 'int32'), ints([2, 0]));
      expect(y.dtype).toBe('int32');
      expect(Array.from(await y.data())).toEqual([30, 10]);
      y.dispose();
      expect(() => tf.gather(tf.zeros([3, 2]), ints([0, 3]))).toThrow(/index value 3 is not in \[0, 2\]/);
      expect(() => tf.gather(tf.zeros([3, 2]), ints([-1]))).toThrow(/index value -1 is not in \[0, 2\]/);
      await tf.setBackend('wasm');
    });
  }

  it('wasm: gathers bool values', async () => {
    await tf.setBackend('wasm');
    const y = tf.gather(tf.tensor([true, false, true], [3], 'bool'), ints([1, 2, 1]));
    expect(y.dtype).toBe('bool');
    expect(Array.from(await y.data())).toEqual([0, 1, 0]);
    y.dispose();
  });
});
