import type { DataType, TensorInfo } from '@tensorflow/tfjs';

/** The two members of tfjs-backend-cpu's MathBackendCPU that our cpu kernels use. */
export type Values = Float32Array | Int32Array;

export interface CpuBackend {
  /** the backend's own array for the tensor (no copy) */
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: DataType, values?: Values): TensorInfo;
}

export function asCpuBackend(b: unknown): CpuBackend {
  const c = b as Partial<CpuBackend> | null;
  if (!c || typeof c.readSync !== 'function' || typeof c.makeTensorInfo !== 'function') {
    throw new Error('tfjs-backend-cpu internals changed (expected readSync, makeTensorInfo)');
  }
  return c as CpuBackend;
}

/** int32 values of a cpu tensor as an Int32Array, copying only if stored otherwise. */
export function int32Values(backend: CpuBackend, t: TensorInfo): Int32Array {
  const v = backend.readSync(t.dataId) as ArrayLike<number>;
  return v instanceof Int32Array ? v : Int32Array.from(v);
}
