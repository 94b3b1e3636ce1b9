import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src-main/core/errors';
import { availableFastKernels } from '../../src-main/core/engine/backend/register';
import { currentBackend, initBackend, type BackendChoice } from '../../src-main/core/engine/backend/select';

// Here (as in CI) tfjs-node and tfjs-node-gpu are absent and there is no GPU: auto must land on wasm and say so.

describe('initBackend', () => {
  it('auto picks wasm here, with our kernels, and says how to get a faster backend', async () => {
    const logs: string[] = [];
    const info = await initBackend('auto', { log: (m) => logs.push(m) });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.version).toBe('4.22.0');
    expect(info.threads).toBe(1);
    expect(info.fastKernels.sort()).toEqual(availableFastKernels('wasm').sort());
    expect(info.fastKernels).toEqual(expect.arrayContaining(['BatchMatMul', '_FusedMatMul', 'UnsortedSegmentSum', 'GatherV2']));
    const notes = info.notes.join('\n');
    expect(notes).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
    expect(notes).toMatch(/CUDA Toolkit 11\.2 and cuDNN SDK 8\.1\.0/);
    expect(notes).toMatch(/npm install @tensorflow\/tfjs-node@4\.22\.0/);
    expect(logs.some((l) => /backend tfjs-node-gpu unavailable/.test(l))).toBe(true);
    expect(logs.at(-1)).toMatch(/^backend wasm 4\.22\.0 on CPU \(WebAssembly SIMD, 1 thread\), fast kernels: /);
    expect(info.device).toBe('CPU (WebAssembly SIMD, 1 thread)');
    // No hardware WebGPU adapter here (at most SwiftShader, which auto leaves alone).
    expect(logs.some((l) => /backend webgpu unavailable/.test(l))).toBe(true);
    expect(currentBackend()).toEqual(info);
  });

  it('is a no-op when called again with the same choice', async () => {
    const first = await initBackend('wasm');
    const kernel = tf.getKernel('BatchMatMul', 'wasm');
    const logs: string[] = [];
    const again = await initBackend('wasm', { log: (m) => logs.push(m) });
    expect(again).toEqual(first);
    expect(logs).toEqual([]);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(kernel);
  });

  it('installs and removes our kernels (stock kernels are restored exactly)', async () => {
    const fast = await initBackend('wasm');
    const ours = tf.getKernel('BatchMatMul', 'wasm');
    const stock = await initBackend('wasm', { fastKernels: false });
    expect(stock.fastKernels).toEqual([]);
    const stockKernel = tf.getKernel('BatchMatMul', 'wasm');
    expect(stockKernel).not.toBe(ours);
    // tfjs-backend-wasm 4.22 has no UnsortedSegmentSum of its own.
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    const again = await initBackend('wasm');
    expect(again.fastKernels).toEqual(fast.fastKernels);
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(stockKernel);
  });

  it('forced cpu works, with our cpu kernels and a note that wasm is faster', async () => {
    const info = await initBackend('cpu');
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(info.fastKernels.sort()).toEqual(availableFastKernels('cpu').sort());
    expect(info.fastKernels).toEqual(expect.arrayContaining(['GatherV2', 'UnsortedSegmentSum', 'Transpose']));
    expect(info.notes.join('\n')).toMatch(/wasm backend .* faster/);
    expect(info.notes.join('\n')).toMatch(/tfjs-node is not installed/);
    await initBackend('wasm');
  });

  it.each([
    ['tfjs-node-gpu', /Backend "tfjs-node-gpu" was asked for but is not available: @tensorflow\/tfjs-node-gpu is not installed\. Install it: npm install @tensorflow\/tfjs-node-gpu@4\.22\.0 .*CUDA Toolkit 11\.2 and cuDNN SDK 8\.1\.0/],
    ['tfjs-node', /Backend "tfjs-node" was asked for but is not available: @tensorflow\/tfjs-node is not installed\. Install it: npm install @tensorflow\/tfjs-node@4\.22\.0/],
  ] as const)('forcing an absent %s is a UserError saying what to install', async (choice, message) => {
    const before = tf.getBackend();
    const err = await initBackend(choice).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/choose another with --backend/);
    // A failed switch leaves the running backend alone.
    expect(tf.getBackend()).toBe(before);
  });

  it('an unknown choice is a UserError listing the choices', async () => {
    const err = await initBackend('gpu' as BackendChoice).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe('Unknown backend "gpu": choose one of auto, tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu.');
  });
});

describe('initBackend threads', () => {
  it('says when wasm threads were asked for but Node runs the single-threaded build', async () => {
    const info = await initBackend('wasm', { threads: 4 });
    expect(info.threads).toBe(1);
    expect(info.notes).toContain('4 wasm threads asked for, 1 used: in Node tfjs runs its single-threaded SIMD build');
  });
});
