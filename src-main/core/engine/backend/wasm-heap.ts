import type { DataId, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs';

/**
 * The few internals of tfjs-backend-wasm 4.x that our kernels use, typed in one place and
 * checked at run time, so a tfjs upgrade that moves them fails loudly here instead of
 * corrupting memory. What they are (see dist/backend_wasm.js in the package):
 * - every tensor lives in the wasm heap at `memoryOffset` and is known to the C++ side by
 *   an integer id (`dataIdMap.get(dataId).id`, registered with `tfjs.registerTensor`);
 * - exported C++ kernels (`BatchMatMul`, `_FusedMatMul`, ...) take those ids;
 * - `tfjs.disposeData(id)` only forgets an id (and runs its disposal callbacks, e.g. drops
 *   a cached XNNPACK operator); it never frees memory, so an id may name a *view* into
 *   another tensor's memory.
 */

export interface WasmModule {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  cwrap(name: string, ret: null | 'number', args: string[]): (...args: unknown[]) => unknown;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
}

export interface WasmBackend extends KernelBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: DataId): WasmTensorData | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

export function asWasmBackend(backend: unknown): WasmBackend {
  const b = backend as Partial<WasmBackend> | null;
  if (
    !b ||
    typeof b.makeOutput !== 'function' ||
    typeof b.dataIdNextNumber !== 'number' ||
    !b.dataIdMap ||
    !b.wasm ||
    typeof b.wasm.cwrap !== 'function' ||
    typeof b.wasm.tfjs?.registerTensor !== 'function' ||
    typeof b.wasm.tfjs?.disposeData !== 'function'
  ) {
    throw new Error(
      'tfjs-backend-wasm internals changed (expected wasm, dataIdMap, dataIdNextNumber, makeOutput): ' +
        'the fast kernels in src-main/core/engine/backend support @tensorflow/tfjs-backend-wasm 4.x only',
    );
  }
  return b as WasmBackend;
}

/** The C++ id and heap byte offset of a tensor held by the wasm backend. */
export function heapInfo(backend: WasmBackend, t: TensorInfo): { id: number; offset: number } {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d) throw new Error('tensor is not held by the wasm backend (disposed, or on another backend)');
  return { id: d.id, offset: d.memoryOffset };
}

/** A float32 view of `size` elements at byte `offset`. Take it after every malloc: growth detaches old views. */
export function heapF32(backend: WasmBackend, offset: number, size: number): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, offset, size);
}

export function heapI32(backend: WasmBackend, offset: number, size: number): Int32Array {
  return new Int32Array(backend.wasm.HEAPU8.buffer, offset, size);
}

/**
 * Registers a C++ id for `size` floats at byte `offset` inside memory someone else owns,
 * so exported kernels can read or write a slice (one batch of a batched operand).
 * Call `release` when done: it drops the id (and any XNNPACK operator cached on it).
 */
export function heapView(backend: WasmBackend, offset: number, size: number): { id: number; release: () => void } {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, offset);
  return { id, release: () => backend.wasm.tfjs.disposeData(id) };
}

/** Shapes are passed to the C++ kernels as the bytes of an Int32Array. */
export function shapeBytes(shape: readonly number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}
