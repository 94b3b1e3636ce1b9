/**
 * UnsortedSegmentSum for the wasm and cpu backends: one scatter-add pass, O(elements).
 *
 * Why: it is the gradient of an embedding lookup (tf.gather), so every text-encoder training
 * step runs it with numSegments = vocabulary size. tfjs-backend-wasm 4.22 has no such
 * kernel at all (training with an embedding throws), and the cpu one builds a mask per
 * segment, O(vocabulary × elements): [8192,64] into 256 segments took 13.6 s here, so
 * hours at 65,536. This one does [8192,64]→[65536,64] in ≈10–20 ms, most of it zeroing the
 * 16 MB output, and the 256-segment case in ≈1 ms (bench/run-microbench.ts).
 *
 * Semantics follow TensorFlow: ids outside [0, numSegments) contribute nothing, the
 * output has x's dtype and shape [numSegments, ...x.shape.slice(segmentIds.rank)].
 */
import { UnsortedSegmentSum, util } from '@tensorflow/tfjs';
import type { DataType, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { attrsOf, input, type KernelArgs } from './kernel-args';
import { asCpuBackend, int32Values, type Values } from './cpu-backend';
import { asWasmBackend, heapF32, heapI32, heapInfo } from './wasm-heap';

export function scatterAdd(x: Values, ids: Int32Array, numSegments: number, inner: number, out: Values): void {
  out.fill(0);
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const xo = i * inner;
    for (let j = 0; j < inner; j++) out[o + j] += x[xo + j];
  }
}

interface Plan {
  outShape: number[];
  numSegments: number;
  inner: number;
  n: number;
}

function plan(x: TensorInfo, segmentIds: TensorInfo, attrs: NamedAttrMap): Plan {
  const numSegments = attrs.numSegments as number;
  const idsRank = segmentIds.shape.length;
  const prefix = x.shape.slice(0, idsRank);
  util.assert(
    Number.isInteger(numSegments) && numSegments >= 0,
    () => `unsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}`,
  );
  util.assert(
    segmentIds.dtype === 'int32',
    () => `unsortedSegmentSum: segmentIds must be int32, got ${segmentIds.dtype}`,
  );
  util.assert(
    util.arraysEqual(prefix, segmentIds.shape),
    () => `unsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
  );
  util.assert(
    x.dtype === 'float32' || x.dtype === 'int32',
    () => `unsortedSegmentSum: x must be float32 or int32, got ${x.dtype}`,
  );
  const n = util.sizeFromShape(segmentIds.shape);
  const innerShape = x.shape.slice(idsRank);
  return { outShape: [numSegments, ...innerShape], numSegments, inner: util.sizeFromShape(innerShape), n };
}

export function wasmSegmentSumConfig(): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const x = input(args, UnsortedSegmentSum, 'x');
    const segmentIds = input(args, UnsortedSegmentSum, 'segmentIds');
    const p = plan(x, segmentIds, attrsOf(args));
    const backend = asWasmBackend(args.backend);
    const out = backend.makeOutput(p.outShape, x.dtype);
    const xo = heapInfo(backend, x).offset;
    const io = heapInfo(backend, segmentIds).offset;
    const oo = heapInfo(backend, out).offset;
    const view = (dtype: DataType, offset: number, size: number) =>
      dtype === 'int32' ? heapI32(backend, offset, size) : heapF32(backend, offset, size);
    scatterAdd(
      view(x.dtype, xo, p.n * p.inner),
      heapI32(backend, io, p.n),
      p.numSegments,
      p.inner,
      view(x.dtype, oo, p.numSegments * p.inner),
    );
    return out;
  };
  return { kernelName: UnsortedSegmentSum, backendName: 'wasm', kernelFunc };
}

export function cpuSegmentSumConfig(): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const x = input(args, UnsortedSegmentSum, 'x');
    const segmentIds = input(args, UnsortedSegmentSum, 'segmentIds');
    const p = plan(x, segmentIds, attrsOf(args));
    const backend = asCpuBackend(args.backend);
    // The cpu backend's readSync hands back its own array: no copy.
    const xv = backend.readSync(x.dataId) as Values;
    const ids = int32Values(backend, segmentIds);
    const size = p.numSegments * p.inner;
    const out = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    scatterAdd(xv, ids, p.numSegments, p.inner, out);
    return backend.makeTensorInfo(p.outShape, x.dtype, out);
  };
  return { kernelName: UnsortedSegmentSum, backendName: 'cpu', kernelFunc };
}
