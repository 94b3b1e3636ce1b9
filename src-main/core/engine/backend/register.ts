/**
 * Installs (and can remove) our kernels in tfjs's global kernel registry. The stock kernel a
 * fast one replaces is kept so that `unregisterFastKernels` restores it exactly (the
 * microbenchmarks measure before/after in one process) and so that dtypes we do not handle
 * fall back to it. Registering twice is a no-op.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { ADAMW_KERNEL, SUM_SQUARES_KERNEL, cpuAdamWConfig, cpuSumSquaresConfig, wasmAdamWConfig, wasmSumSquaresConfig } from './fused-adamw';
import { cpuGatherConfig, wasmGatherConfig } from './gather';
import { cpuTransposeConfig, wasmTransposeConfig } from './transpose-kernel';
import { cpuSegmentSumConfig, wasmSegmentSumConfig } from './segment-sum';
import { wasmBatchMatMulConfig, wasmFusedMatMulConfig } from './wasm-matmul';

export type FastBackend = 'wasm' | 'cpu';

type Factory = (stock: KernelConfig | undefined) => KernelConfig;

const FACTORIES: Record<FastBackend, Record<string, Factory>> = {
  wasm: {
    BatchMatMul: wasmBatchMatMulConfig,
    _FusedMatMul: wasmFusedMatMulConfig,
    UnsortedSegmentSum: wasmSegmentSumConfig,
    GatherV2: wasmGatherConfig,
    Transpose: wasmTransposeConfig,
    [ADAMW_KERNEL]: wasmAdamWConfig,
    [SUM_SQUARES_KERNEL]: wasmSumSquaresConfig,
  },
  cpu: {
    UnsortedSegmentSum: cpuSegmentSumConfig,
    GatherV2: cpuGatherConfig,
    Transpose: cpuTransposeConfig,
    [ADAMW_KERNEL]: cpuAdamWConfig,
    [SUM_SQUARES_KERNEL]: cpuSumSquaresConfig,
  },
};

/** backend → kernel name → the stock config we replaced (undefined: there was none). */
const installed = new Map<FastBackend, Map<string, KernelConfig | undefined>>();

/** Kernels we can install on each backend. */
export function availableFastKernels(backendName: FastBackend): string[] {
  return Object.keys(FACTORIES[backendName]);
}

/**
 * Installs our kernels on `backendName` (all of them, or only `names`, e.g. to measure one
 * kernel's effect) and returns the installed names. The same call twice is a no-op.
 */
export function registerFastKernels(backendName: FastBackend, names?: string[]): string[] {
  const wanted = names ?? availableFastKernels(backendName);
  for (const n of wanted) {
    if (!(n in FACTORIES[backendName])) throw new Error(`no fast kernel ${n} for backend ${backendName}`);
  }
  const done = installed.get(backendName);
  if (done && done.size === wanted.length && wanted.every((n) => done.has(n))) return [...done.keys()];
  unregisterFastKernels(backendName);
  const replaced = new Map<string, KernelConfig | undefined>();
  for (const name of wanted) {
    const stock = getKernel(name, backendName);
    if (stock) unregisterKernel(name, backendName);
    // Ours need no setup, but they hand some inputs to the stock kernel, whose setupFunc
    // (cwrap of its C++ function) must run if the backend starts after this registration.
    const config = FACTORIES[backendName][name](stock);
    registerKernel(stock?.setupFunc ? { ...config, setupFunc: stock.setupFunc } : config);
    replaced.set(name, stock);
  }
  installed.set(backendName, replaced);
  return [...replaced.keys()];
}

export function unregisterFastKernels(backendName: FastBackend): void {
  const replaced = installed.get(backendName);
  if (!replaced) return;
  for (const [name, stock] of replaced) {
    unregisterKernel(name, backendName);
    if (stock) registerKernel(stock);
  }
  installed.delete(backendName);
}

export function fastKernels(backendName: string): string[] {
  const done = installed.get(backendName as FastBackend);
  return done ? [...done.keys()] : [];
}
