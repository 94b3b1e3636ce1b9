/**
 * The tfjs backend layer: pick the best backend present and make the CPU ones fast.
 *
 * - `initBackend(prefer, opts)` once per process (a worker) before building tensors; it
 *   installs our kernels on wasm/cpu and the broadcast-safe matMul gradient everywhere.
 * - `adamwUpdate` / `sumOfSquares`: AdamW and the clipping norm as one kernel each.
 * - `checkAgainstReference`: compares a computation with the stock cpu kernels.
 * Why each kernel exists, with measurements, is at the top of its file.
 */
export { initBackend, currentBackend, BACKEND_CHOICES, INSTALL_HINTS } from './select';
export type { BackendChoice, BackendInfo, BackendName, InitOptions } from './select';
export { registerFastKernels, unregisterFastKernels, availableFastKernels, fastKernels } from './register';
export { adamwUpdate, sumOfSquares, FUSED_MAX_ELEMENTS } from './fused-adamw';
export type { AdamWParams } from './fused-adamw';
export { checkAgainstReference, relativeError } from './kernel-check';
