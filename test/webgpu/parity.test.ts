import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/core/engine/backend/select';
import { ModelSchema } from '../../src-main/core/engine/config';
import { startBackend } from '../../src-main/core/engine/tf-backend';
import { useSoftwareGpu } from './software-gpu';

// SwiftShader computes ≈0.2 GFLOP/s: the PRM here is tiny.
const skip = await useSoftwareGpu();
const tiny = ModelSchema.parse({ embedDim: 8, hidden: 8, vocabSize: 40, bigramBuckets: 8, imageSize: 16, patchSize: 8, patchChannels: 4, readerHeads: 2, maxSteps: 4, maxStepTokens: 6, maxQuestionTokens: 8 });

describe.skipIf(skip !== null)('webgpu on SwiftShader', () => {
  it('auto does not pick a software adapter, and says why', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(info.notes.join('\n')).toMatch(/WebGPU adapter is a software one \(google swiftshader.*\), slower than wasm: used only with --backend webgpu/);
  });

  it('by name it runs on the software adapter and passes the parity check against cpu', async () => {
    const r = await startBackend('webgpu', { model: tiny, syncReads: false });
    expect(tf.getBackend()).toBe('webgpu');
    expect(r.name).toBe('webgpu');
    expect(r.device).toMatch(/^google swiftshader \(.*SwiftShader.*\), software$/);
    expect(r.fallback).toBeNull();
    // measured here: ≈1e-8 (the tolerance is 1e-4 + 1e-3·|value|)
    expect(r.parityMaxAbsDiff).not.toBeNull();
    expect(r.parityMaxAbsDiff!).toBeLessThan(1e-5);
    console.log(`parity check on ${r.device}: max |diff| ${r.parityMaxAbsDiff}`);
  });

  it('work that reads synchronously (CaR selection, probe) falls back from webgpu and says why', async () => {
    const r = await startBackend('webgpu', { model: tiny });
    expect(r.name).not.toBe('webgpu');
    expect(r.fallback).toMatch(/passed the parity check .* but this job reads values synchronously .* and this backend cannot/);
  });

  it('the features PRM and the text-only PRM pass it too', async () => {
    for (const over of [{ kind: 'features' }, { image: false }]) {
      const r = await startBackend('webgpu', { model: { ...tiny, ...over } as typeof tiny, syncReads: false });
      expect(r.name).toBe('webgpu');
      expect(r.parityMaxAbsDiff!).toBeLessThan(1e-5);
    }
  });
});
