/**
 * GatherV2 (embedding lookup) for the wasm and cpu backends: a row copy per index.
 *
 * Why: the stock wasm kernel converts every output element's offset to a coordinate vector
 * (a heap-allocated std::vector per element) and back; the cpu one goes through a TensorBuffer
 * per element. Gathering 3,072 rows of 64 floats (a batch of 64 × 48 tokens) took ≈5–10 ms
 * on wasm and ≈16 ms on cpu — the most expensive kernel of a PRM-like step once matMul was
 * fixed. Copying whole slices takes ≈0.4 ms on both (bench/run-microbench.ts).
 *
 * Same semantics as tfjs: x viewed as [batch, outer, dimSize, slice], indices as
 * [batch, n]; out[b, o, i, :] = x[b, o, indices[b, i], :]; an index outside
 * [0, dimSize) throws.
 */
import { GatherV2, backend_util, util } from '@tensorflow/tfjs';
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { attrsOf, input, type KernelArgs } from './kernel-args';
import { asCpuBackend, int32Values, type Values } from './cpu-backend';
import { asWasmBackend, heapI32, heapInfo, type WasmBackend } from './wasm-heap';

type Gatherable = Values | Uint8Array;

interface GatherPlan {
  batch: number;
  outer: number;
  dimSize: number;
  slice: number;
  /** indices per batch */
  n: number;
  outputShape: number[];
}

function plan(args: KernelArgs): { x: TensorInfo; indices: TensorInfo; p: GatherPlan } {
  const x = input(args, GatherV2, 'x');
  const indices = input(args, GatherV2, 'indices');
  const attrs = attrsOf(args);
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
  const info = backend_util.segment_util.collectGatherOpShapeInfo(x, indices, axis, (attrs.batchDims as number | undefined) ?? 0);
  const n = util.sizeFromShape(indices.shape) / info.batchSize;
  return {
    x,
    indices,
    p: { batch: info.batchSize, outer: info.outerSize, dimSize: info.dimSize, slice: info.sliceSize, n, outputShape: info.outputShape },
  };
}

/** Copies the slices; src/dst offsets are in elements. Throws on an index outside [0, dimSize). */
export function gatherSlices(src: Gatherable, srcOff: number, idx: Int32Array, dst: Gatherable, dstOff: number, p: GatherPlan): void {
  for (let k = 0; k < idx.length; k++) {
    const v = idx[k];
    if (v < 0 || v >= p.dimSize) throw new Error(`GatherV2: the index value ${v} is not in [0, ${p.dimSize - 1}]`);
  }
  const { slice, dimSize, n } = p;
  let d = dstOff;
  for (let b = 0; b < p.batch; b++) {
    for (let o = 0; o < p.outer; o++) {
      const base = srcOff + (b * p.outer + o) * dimSize * slice;
      for (let i = 0; i < n; i++) {
        let s = base + idx[b * n + i] * slice;
        const end = s + slice;
        while (s < end) dst[d++] = src[s++];
      }
    }
  }
}

function heapView(backend: WasmBackend, dtype: DataType): { arr: Gatherable; bytes: number } {
  const buf = backend.wasm.HEAPU8.buffer;
  if (dtype === 'float32') return { arr: new Float32Array(buf), bytes: 4 };
  if (dtype === 'int32') return { arr: new Int32Array(buf), bytes: 4 };
  if (dtype === 'bool') return { arr: new Uint8Array(buf), bytes: 1 };
  throw new Error(`GatherV2: dtype ${dtype} is not supported on wasm`);
}

export function wasmGatherConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const { x, indices, p } = plan(args);
    if (x.dtype === 'string' || x.dtype === 'complex64') {
      if (!stock) throw new Error(`GatherV2: dtype ${x.dtype} is not supported on wasm`);
      return stock.kernelFunc(args);
    }
    const backend = asWasmBackend(args.backend);
    const out = backend.makeOutput(p.outputShape, x.dtype);
    if (util.sizeFromShape(p.outputShape) === 0) return out;
    const idx = heapI32(backend, heapInfo(backend, indices).offset, p.batch * p.n);
    const { arr, bytes } = heapView(backend, x.dtype);
    gatherSlices(arr, heapInfo(backend, x).offset / bytes, idx, arr, heapInfo(backend, out).offset / bytes, p);
    return out;
  };
  return { kernelName: GatherV2, backendName: 'wasm', kernelFunc };
}

export function cpuGatherConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const { x, indices, p } = plan(args);
    if (x.dtype !== 'float32' && x.dtype !== 'int32') {
      if (!stock) throw new Error(`GatherV2: dtype ${x.dtype} is not supported`);
      return stock.kernelFunc(args);
    }
    const backend = asCpuBackend(args.backend);
    const size = util.sizeFromShape(p.outputShape);
    const out = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    if (size > 0) {
      gatherSlices(backend.readSync(x.dataId) as Values, 0, int32Values(backend, indices), out, 0, p);
    }
    return backend.makeTensorInfo(p.outputShape, x.dtype, out);
  };
  return { kernelName: GatherV2, backendName: 'cpu', kernelFunc };
}
