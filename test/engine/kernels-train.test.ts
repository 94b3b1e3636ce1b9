import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { prmLikeStep } from '../../src-main/core/bench/bench-model';
import { registerFastKernels, unregisterFastKernels } from '../../src-main/core/engine/backend/register';
import { initBackend } from '../../src-main/core/engine/backend/select';

// End to end: a PRM-like model (embedding gather + mean, patch matMul, fused MLP head,
// sigmoid, MSE, Adam) trained for a few steps with our kernels follows the same loss curve
// as with the stock cpu kernels. This also checks that XNNPACK's weight cache (keyed by
// tensor id) never serves stale weights after Adam replaces them.

const CONFIG = { batch: 8, patches: 6, patchFeatures: 24, patchDim: 16, tokens: 5, vocab: 40, embedDim: 12, hidden: 10 };
const STEPS = 6;

async function losses(): Promise<number[]> {
  const m = prmLikeStep(CONFIG);
  const out: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const l = m.step();
    out.push((await l.data())[0]);
    l.dispose();
  }
  m.dispose();
  return out;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('training with our kernels', () => {
  it('gives the loss curve of the stock cpu kernels (wasm and cpu)', async () => {
    await tf.setBackend('cpu');
    unregisterFastKernels('cpu');
    const reference = await losses();
    expect(reference[STEPS - 1]).toBeLessThan(reference[0]);

    await tf.setBackend('wasm');
    const onWasm = await losses();
    await tf.setBackend('cpu');
    registerFastKernels('cpu');
    const onCpu = await losses();
    for (let i = 0; i < STEPS; i++) {
      expect(Math.abs(onWasm[i] - reference[i]) / reference[i], `wasm step ${i}`).toBeLessThan(1e-5);
      expect(Math.abs(onCpu[i] - reference[i]) / reference[i], `cpu step ${i}`).toBeLessThan(1e-5);
    }
    await tf.setBackend('wasm');
  });

  it('leaks no tensors or wasm buffers over many steps', async () => {
    await tf.setBackend('wasm');
    const m = prmLikeStep(CONFIG);
    const backend = tf.engine().backend;
    const step = async () => {
      const l = m.step();
      await l.data();
      l.dispose();
    };
    await step();
    const before = { tensors: tf.memory().numTensors, ids: backend.numDataIds() };
    for (let i = 0; i < 30; i++) await step();
    expect(tf.memory().numTensors).toBe(before.tensors);
    expect(backend.numDataIds()).toBe(before.ids);
    m.dispose();
  });
});
