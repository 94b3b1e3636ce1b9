import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstReference, randomFloats, relativeError } from '../../src-main/core/engine/backend/kernel-check';
import { initBackend } from '../../src-main/core/engine/backend/select';
import { STOCK_MAX_MACS, setStockMaxMacs } from '../../src-main/core/engine/backend/wasm-matmul';

// Every kernel of ours is compared with the stock cpu kernel (the reference), forward and
// gradient, on random inputs; float32 relative error (max|Δ| / max|ref|) must be ≤ 1e-5.
const TOL = 1e-5;

beforeAll(async () => {
  await initBackend('wasm');
  // Small products normally stay on the stock loop (faster there): test our path at every size.
  setStockMaxMacs(0);
});

let seed = 1;
function rand(shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(randomFloats(n, seed++, -scale, scale), shape);
}

interface Case {
  a: number[];
  b: number[];
  tA: boolean;
  tB: boolean;
}

/** Operand shapes for out [..., m, n] = op(a)·op(b) with batch dims `ba`, `bb`. */
function mmCase(m: number, k: number, n: number, tA: boolean, tB: boolean, ba: number[] = [], bb: number[] = []): Case {
  return { a: [...ba, ...(tA ? [k, m] : [m, k])], b: [...bb, ...(tB ? [n, k] : [k, n])], tA, tB };
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 5],
  [5, 7, 1],
  [3, 1, 4],
  [13, 17, 11],
  [64, 192, 64],
  [129, 65, 33],
];
const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
const BATCHES: [number[], number[]][] = [
  [[], []],
  [[3], [3]],
  [[4], [1]],
  [[1], [4]],
  [[2, 3], [1, 3]],
];

const cases: Case[] = [];
for (const [tA, tB] of TRANSPOSES) {
  for (const [m, k, n] of SIZES) cases.push(mmCase(m, k, n, tA, tB));
  for (const [ba, bb] of BATCHES.slice(1)) cases.push(mmCase(5, 9, 6, tA, tB, ba, bb));
}
cases.push(mmCase(36, 192, 64, false, false, [64], [1]));
cases.push(mmCase(2304, 192, 64, true, false));

const label = (c: Case) => `a${JSON.stringify(c.a)}${c.tA ? 'ᵀ' : ''} b${JSON.stringify(c.b)}${c.tB ? 'ᵀ' : ''}`;

describe('BatchMatMul on wasm matches the cpu reference', () => {
  it.each(cases.map((c) => [label(c), c] as const))('forward and gradient %s', async (_l, c) => {
    const s = seed;
    seed += 10;
    const fn = () => {
      seed = s;
      const a = rand(c.a);
      const b = rand(c.b);
      const y = tf.matMul(a, b, c.tA, c.tB);
      const w = rand(y.shape);
      const [ga, gb] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.matMul(x, z, c.tA, c.tB).mul(w).sum())([a, b]);
      return [y, ga, gb];
    };
    const r = await checkAgainstReference('wasm', fn);
    expect(r.shapesMatch).toBe(true);
    expect(r.error).toBeLessThanOrEqual(TOL);
  });

  it('handles an empty inner dimension (k = 0) with zeros, at any threshold', async () => {
    for (const threshold of [0, STOCK_MAX_MACS]) {
      const prev = setStockMaxMacs(threshold);
      const r = await checkAgainstReference('wasm', () => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])));
      setStockMaxMacs(prev);
      expect(r.shapesMatch).toBe(true);
      expect(r.error).toBe(0);
    }
  });

  it('rejects mismatched inner dimensions with the tfjs message', async () => {
    await initBackend('wasm');
    expect(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 5]))).toThrow(/inner shapes \(3\) and \(4\)/);
  });
});

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu', 'prelu'] as const;
type Act = (typeof ACTIVATIONS)[number];

interface FusedCase {
  c: Case;
  act: Act;
  bias: 'none' | 'n' | 'scalar' | 'full';
}

const fusedCases: FusedCase[] = [];
for (const act of ACTIVATIONS) {
  for (const [tA, tB] of TRANSPOSES) {
    fusedCases.push({ c: mmCase(9, 13, 7, tA, tB, [1], [1]), act, bias: 'n' });
    fusedCases.push({ c: mmCase(4, 6, 5, tA, tB, [2], [2]), act, bias: 'n' });
  }
  fusedCases.push({ c: mmCase(1, 5, 3, false, false, [1], [1]), act, bias: 'none' });
  fusedCases.push({ c: mmCase(6, 4, 5, true, false, [3], [3]), act, bias: 'scalar' });
  fusedCases.push({ c: mmCase(6, 4, 5, false, true, [1], [1]), act, bias: 'full' });
}

describe('_FusedMatMul on wasm matches the cpu reference', () => {
  it.each(fusedCases.map((f) => [`${f.act} bias=${f.bias} ${label(f.c)}`, f] as const))('%s', async (_l, f) => {
    const s = seed;
    seed += 10;
    const { c } = f;
    const fn = () => {
      seed = s;
      // Outputs spread over about ±8 so relu6's upper clamp and elu's negative side are hit.
      const a = rand(c.a, 2);
      const b = rand(c.b, 2);
      const m = c.tA ? c.a[c.a.length - 1] : c.a[c.a.length - 2];
      const n = c.tB ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
      const bias = f.bias === 'n' ? rand([n]) : f.bias === 'scalar' ? rand([1]) : f.bias === 'full' ? rand([m, n]) : undefined;
      const prelu = f.act === 'prelu' ? rand([n], 0.5) : undefined;
      const run = (x: tf.Tensor, z: tf.Tensor, bb?: tf.Tensor) =>
        tf.fused.matMul({
          a: x as tf.Tensor3D,
          b: z as tf.Tensor3D,
          transposeA: c.tA,
          transposeB: c.tB,
          bias: bb,
          activation: f.act,
          preluActivationWeights: prelu,
          leakyreluAlpha: 0.15,
        });
      const y = run(a, b, bias);
      const w = rand(y.shape);
      const xs = bias ? [a, b, bias] : [a, b];
      const grads = tf.grads((...t: tf.Tensor[]) => run(t[0], t[1], t[2]).mul(w).sum())(xs);
      return [y, ...grads];
    };
    const r = await checkAgainstReference('wasm', fn);
    expect(r.shapesMatch).toBe(true);
    expect(r.error).toBeLessThanOrEqual(TOL);
  });
});

describe('fused matMul with a broadcast batch (forward only: the op computes its own gradient)', () => {
  it.each(TRANSPOSES.map(([tA, tB]) => [`tA=${tA} tB=${tB}`, tA, tB] as const))('%s', async (_l, tA, tB) => {
    const s = seed;
    seed += 10;
    const c = mmCase(9, 13, 7, tA, tB, [3], [1]);
    const fn = () => {
      seed = s;
      return tf.fused.matMul({
        a: rand(c.a) as tf.Tensor3D,
        b: rand(c.b) as tf.Tensor3D,
        transposeA: tA,
        transposeB: tB,
        bias: rand([7]),
        activation: 'relu',
      });
    };
    const r = await checkAgainstReference('wasm', fn);
    expect(r.shapesMatch).toBe(true);
    expect(r.error).toBeLessThanOrEqual(TOL);
  });
});

describe('BatchMatMul gradient with broadcasting (fixed in matmul-grad.ts)', () => {
  it('equals the gradient through an explicit tile, on wasm and cpu', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      const [viaBroadcast, viaTile] = tf.tidy(() => {
        const a = rand([4, 5, 3]);
        const b = rand([3, 6]);
        const w = rand([4, 5, 6]);
        const g1 = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y).mul(w).sum())([a, b]);
        const tiled = (y: tf.Tensor) => tf.tile(y.expandDims(0), [4, 1, 1]);
        const g2 = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, tiled(y)).mul(w).sum())([a, b]);
        return [tf.concat([g1[0].flatten(), g1[1].flatten()]), tf.concat([g2[0].flatten(), g2[1].flatten()])];
      });
      const e = relativeError(await viaTile.data(), await viaBroadcast.data());
      tf.dispose([viaBroadcast, viaTile]);
      expect(e, backend).toBeLessThanOrEqual(TOL);
    }
    await tf.setBackend('wasm');
  });
});

describe('small products on the stock loop', () => {
  it('give the reference result with the default threshold', async () => {
    const prev = setStockMaxMacs(STOCK_MAX_MACS);
    try {
      for (const c of [mmCase(4, 16, 36, false, true, [8], [8]), mmCase(1, 64, 64, false, true), mmCase(8, 16, 8, true, false)]) {
        const r = await checkAgainstReference('wasm', () => {
          seed = 500;
          return tf.matMul(rand(c.a), rand(c.b), c.tA, c.tB);
        });
        expect(r.error).toBeLessThanOrEqual(TOL);
      }
    } finally {
      setStockMaxMacs(prev);
    }
  });
});

describe('the stock wasm _FusedMatMul bias bug (fixed by ours)', () => {
  it('adds bias[j] to every row, where stock adds bias[N-1] after the first row', async () => {
    const run = async () => {
      const y = tf.tidy(() =>
        tf.fused.matMul({ a: tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), b: tf.eye(2), bias: tf.tensor1d([10, 20]), transposeB: true }),
      );
      const v = Array.from(await y.data());
      y.dispose();
      return v;
    };
    await initBackend('wasm', { fastKernels: false });
    expect(await run()).toEqual([11, 22, 23, 24, 25, 26]);
    await initBackend('wasm');
    expect(await run()).toEqual([11, 22, 13, 24, 15, 26]);
  });
});

describe('our matMul kernels do not leak', () => {
  it('leaves no scratch buffers or C++ ids behind', async () => {
    await initBackend('wasm');
    const backend = tf.engine().backend;
    const a = rand([3, 40, 30]);
    const b = rand([3, 50, 30]);
    const c = rand([1, 40, 20]);
    const run = () =>
      tf.tidy(() => {
        tf.matMul(a, b, false, true);
        tf.matMul(a, c, true, false);
        tf.fused.matMul({ a: a as tf.Tensor3D, b: c as tf.Tensor3D, transposeA: true, bias: rand([20]), activation: 'sigmoid' });
      });
    run();
    const before = { ids: backend.numDataIds(), tensors: tf.memory().numTensors };
    for (let i = 0; i < 20; i++) run();
    expect(backend.numDataIds()).toBe(before.ids);
    expect(tf.memory().numTensors).toBe(before.tensors);
    tf.dispose([a, b, c]);
  });
});
