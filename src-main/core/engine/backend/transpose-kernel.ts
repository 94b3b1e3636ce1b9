/**
 * Transpose for the wasm and cpu backends when the permutation swaps two adjacent groups of
 * axes — [..., R..., C..., inner...] → [..., C..., R..., inner...], which covers matrix
 * transposes, swapping the last two axes and [B,T,D] → [T,B,D]. Other permutations go to
 * the stock kernel.
 *
 * Why: the compact PRM transposes in every backward pass (its matMul gradients and its
 * prefix averaging); in one of its training steps Transpose took ≈2.7 ms over 26 calls on
 * wasm. The stock 2-D loop writes with a stride of `rows` floats (cache-hostile for
 * power-of-two sizes; the cpu one indexes through a TensorBuffer per element); the blocked
 * copy in transpose2d.ts is 3–6× faster on those shapes (see its header for numbers).
 */
import { Transpose, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asCpuBackend, type Values } from './cpu-backend';
import { attrsOf, input, type KernelArgs } from './kernel-args';
import { transposeBlocks } from './transpose2d';
import { asWasmBackend, heapInfo } from './wasm-heap';

export interface BlockSwap {
  outer: number;
  R: number;
  C: number;
  inner: number;
}

/** The block structure of `perm` on `shape`, or null if it is not one adjacent-group swap. */
export function blockSwap(shape: number[], perm: number[]): BlockSwap | null {
  // Size-1 axes can move freely: drop them and renumber the rest.
  const keep = shape.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
  const rank = new Map(keep.map((axis, k) => [axis, k]));
  const dims = keep.map((i) => shape[i]);
  const p = perm.filter((axis) => rank.has(axis)).map((axis) => rank.get(axis) as number);
  const n = p.length;
  let a = 0;
  while (a < n && p[a] === a) a++;
  if (a === n) return null; // identity: the stock kernel just aliases the data
  let c = n;
  while (c > a && p[c - 1] === c - 1) c--;
  const b = p[a];
  const lenC = c - b;
  for (let k = 0; k < lenC; k++) if (p[a + k] !== b + k) return null;
  for (let k = 0; k < b - a; k++) if (p[a + lenC + k] !== a + k) return null;
  const prod = (from: number, to: number) => dims.slice(from, to).reduce((x, y) => x * y, 1);
  return { outer: prod(0, a), R: prod(a, b), C: prod(b, c), inner: prod(c, n) };
}

function plan(args: KernelArgs): { x: TensorInfo; outShape: number[]; swap: BlockSwap | null } {
  const x = input(args, Transpose, 'x');
  const perm = attrsOf(args).perm as number[];
  const outShape = perm.map((axis) => x.shape[axis]);
  const ok = x.dtype === 'float32' || x.dtype === 'int32';
  return { x, outShape, swap: ok && util.sizeFromShape(x.shape) > 0 ? blockSwap(x.shape, perm) : null };
}

export function wasmTransposeConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const { x, outShape, swap } = plan(args);
    if (!swap) {
      if (!stock) throw new Error('Transpose: no stock wasm kernel to fall back to');
      return stock.kernelFunc(args);
    }
    const backend = asWasmBackend(args.backend);
    const out = backend.makeOutput(outShape, x.dtype);
    const buf = backend.wasm.HEAPU8.buffer;
    const heap = x.dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf);
    transposeBlocks(heap, heapInfo(backend, x).offset / 4, heap, heapInfo(backend, out).offset / 4, swap.outer, swap.R, swap.C, swap.inner);
    return out;
  };
  return { kernelName: Transpose, backendName: 'wasm', kernelFunc };
}

export function cpuTransposeConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const { x, outShape, swap } = plan(args);
    if (!swap) {
      if (!stock) throw new Error('Transpose: no stock cpu kernel to fall back to');
      return stock.kernelFunc(args);
    }
    const backend = asCpuBackend(args.backend);
    const src = backend.readSync(x.dataId) as Values;
    const out = x.dtype === 'int32' ? new Int32Array(src.length) : new Float32Array(src.length);
    transposeBlocks(src, 0, out, 0, swap.outer, swap.R, swap.C, swap.inner);
    return backend.makeTensorInfo(outShape, x.dtype, out);
  };
  return { kernelName: Transpose, backendName: 'cpu', kernelFunc };
}
