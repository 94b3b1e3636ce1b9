/**
 * Kernels of tfjs-backend-webgpu 4.22 that need help, found by the parity check and the
 * webgpu training tests (test/webgpu):
 *
 * - AddN binds every input as a storage buffer in one shader. WebGPU allows 8 storage buffers
 *   per shader stage unless more are requested (SwiftShader's limit is 8, and many GPUs' is
 *   too), so an AddN of more than 7 tensors — the gradient norm over the PRM's ~26 parameters
 *   — fails validation, Dawn only logs it, and the result is garbage. tfjs's own Concat
 *   splits its inputs the same way; AddN does not. Ours adds in chunks that fit.
 */
import { AddN, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

type GpuBackend = { device: { limits: { maxStorageBuffersPerShaderStage: number } }; disposeData(id: object): void };

let installed = false;

function chunkedAddN(stock: KernelFunc): KernelFunc {
  const addN: KernelFunc = (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const backend = args.backend as unknown as GpuBackend;
    // one storage buffer is the output
    const max = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= max) return stock(args);
    const partial: TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += max) {
      const chunk = inputs.slice(i, i + max);
      partial.push(chunk.length === 1 ? chunk[0] : (stock({ ...args, inputs: chunk as unknown as typeof args.inputs }) as TensorInfo));
    }
    const out = addN({ ...args, inputs: partial as unknown as typeof args.inputs }) as TensorInfo;
    for (const p of partial) if (!inputs.includes(p)) backend.disposeData(p.dataId);
    return out;
  };
  return addN;
}

/** Installs our webgpu kernels once (after tfjs-backend-webgpu registered its own). */
export function installWebgpuKernels(): string[] {
  if (installed) return ['AddN'];
  const stock = getKernel(AddN, 'webgpu') as KernelConfig | undefined;
  if (!stock) return [];
  unregisterKernel(AddN, 'webgpu');
  registerKernel({ ...stock, kernelFunc: chunkedAddN(stock.kernelFunc) });
  installed = true;
  return ['AddN'];
}
