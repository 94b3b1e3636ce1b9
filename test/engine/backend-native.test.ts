import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_CUDA_GPU, type OptionalImporter } from '../../src-main/core/engine/backend/native';
import { initBackend } from '../../src-main/core/engine/backend/select';
import { ModelSchema } from '../../src-main/core/engine/config';
import { startBackend } from '../../src-main/core/engine/tf-backend';

/**
 * tfjs-node-gpu cannot install here, so a mock stands in for it: its import registers a
 * 'tensorflow' backend (tfjs's cpu backend underneath) whose isUsingGpuDevice says what
 * libtensorflow found, and copies the cpu kernels to it (one of them wrong, on request).
 */
function mockNodeGpu(onGpu: boolean, wrongSigmoid = false): OptionalImporter {
  return async (pkg) => {
    if (pkg !== '@tensorflow/tfjs-node-gpu') return null;
    if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
    tf.registerBackend('tensorflow', () => Object.assign(tf.findBackendFactory('cpu')!() as object, { isUsingGpuDevice: onGpu }) as unknown as tf.KernelBackend);
    const relu = tf.getKernel('Relu', 'cpu')!;
    for (const k of tf.getKernelsForBackend('cpu')) {
      if (tf.getKernel(k.kernelName, 'tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
      // a "GPU kernel" that computes the wrong function
      const kernelFunc = wrongSigmoid && k.kernelName === 'Sigmoid' ? relu.kernelFunc : k.kernelFunc;
      tf.registerKernel({ ...k, backendName: 'tensorflow', kernelFunc });
    }
    return { version: { 'tfjs-node': '4.22.0' } };
  };
}

const tiny = ModelSchema.parse({ embedDim: 8, hidden: 8, vocabSize: 40, bigramBuckets: 8, patchChannels: 4, readerHeads: 2, maxSteps: 4, maxStepTokens: 6, maxQuestionTokens: 8 });

afterEach(async () => {
  await tf.setBackend('cpu');
});

describe('tfjs-node-gpu (mocked)', () => {
  it('installed without a CUDA GPU: auto reports a fallback with what it needs, not a GPU', async () => {
    const info = await initBackend('auto', { importer: mockNodeGpu(false) });
    expect(info.name).not.toBe('tfjs-node-gpu');
    expect(info.device).not.toMatch(/CUDA/);
    expect(info.fallback).toBe(NO_CUDA_GPU);
    expect(info.fallback).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    expect(info.fallback).toMatch(/webgpu backend uses the GPU without CUDA/);
  });

  it('asked for by name without a CUDA GPU: falls back the same way instead of claiming the GPU', async () => {
    const info = await initBackend('tfjs-node-gpu', { importer: mockNodeGpu(false) });
    expect(info.name).not.toBe('tfjs-node-gpu');
    expect(info.fallback).toBe(NO_CUDA_GPU);
  });

  it('with a GPU device it is chosen and named as a CUDA GPU', async () => {
    const info = await initBackend('tfjs-node-gpu', { importer: mockNodeGpu(true) });
    expect(info.name).toBe('tfjs-node-gpu');
    expect(info.device).toMatch(/^CUDA GPU/);
    expect(info.fallback).toBeNull();
  });
});

describe('parity check', () => {
  it('a backend that computes wrongly fails it and the run falls back, saying why', async () => {
    const r = await startBackend('tfjs-node-gpu', { model: tiny, importer: mockNodeGpu(true, true) });
    expect(r.name).not.toBe('tfjs-node-gpu');
    expect(r.fallback).toMatch(/^tfjs-node-gpu on CUDA GPU .* failed the parity check: the PRM's forward and backward pass differs from the cpu backend's by up to/);
    expect(r.parityMaxAbsDiff!).toBeLessThan(1e-5);
  });

  it('passes on a backend that computes like cpu', async () => {
    const r = await startBackend('wasm', { model: tiny });
    expect(r.name).toBe('wasm');
    expect(r.parityMaxAbsDiff!).toBeLessThan(1e-5);
    expect(r.fallback).toBeNull();
  });
});
