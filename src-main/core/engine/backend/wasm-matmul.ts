/**
 * BatchMatMul and _FusedMatMul for the wasm backend that always reach XNNPACK.
 *
 * Why: tfjs-backend-wasm 4.22 calls XNNPACK's fully-connected operator only when neither
 * operand is transposed and both batch sizes are 1; everything else (every backward pass:
 * dA = dY·Bᵀ, dB = Aᵀ·dY; every batched matMul) runs a scalar triple loop. Measured here
 * (bench/run-microbench.ts, shared 2-core machine): stock [2304,192]·[192,64] 40 GFLOP/s but its
 * two gradients 2.2–2.3; [4096,64]·[64,64] 33, transposed 0.7–2.3; 64×[36,192]·[192,64]
 * 2.3. With this kernel all of them run at 29–43 GFLOP/s.
 *
 * What: transposed operands are transposed once into a scratch buffer (transpose2d.ts, cheap
 * next to the product), batch is folded into rows when B is shared by all batches, and the
 * exported C++ BatchMatMul / _FusedMatMul are called in their fast configuration
 * ([1,M,K]×[1,K,N], no transpose). When both operands are batched, each batch is a call on
 * heap views (no copies). Bias of shape [N] and relu/relu6 stay fused in XNNPACK; any
 * other bias shape or activation is applied by the backend's own kernels afterwards.
 * Tiny products (≤ STOCK_MAX_MACS multiply-adds per batch, equal batches) stay on the stock
 * loop: each XNNPACK call costs ≈4 µs to set up, e.g. attention's 64×[4,16]·[16,36]ᵀ took
 * ≈120 µs stock vs ≈295 µs as 64 XNNPACK calls, while 64×[36,36]·[36,16] was 860 vs 350.
 *
 * It also fixes a stock bug: with a transpose, the stock _FusedMatMul adds
 * bias[min(i·N + j, N − 1)], i.e. bias[N−1] to every row after the first
 * (kernels.test.ts shows it).
 */
import { BatchMatMul, _FusedMatMul, broadcast_util, getKernel, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { attrsOf, input, type KernelArgs } from './kernel-args';
import { transposeBatched } from './transpose2d';
import { asWasmBackend, heapF32, heapInfo, heapView, shapeBytes, type WasmBackend, type WasmModule } from './wasm-heap';

type CppBatchMatMul = (
  aId: number, aShape: Uint8Array, aRank: number,
  bId: number, bShape: Uint8Array, bRank: number,
  transposeA: boolean, transposeB: boolean, outId: number,
) => void;
type CppFusedMatMul = (
  aId: number, aShape: Uint8Array, aRank: number,
  bId: number, bShape: Uint8Array, bRank: number,
  transposeA: boolean, transposeB: boolean, activation: number,
  biasId: number, preluId: number, leakyreluAlpha: number, outId: number,
) => void;

interface Cpp {
  matMul: CppBatchMatMul;
  fused: CppFusedMatMul;
}
const cppByModule = new WeakMap<WasmModule, Cpp>();

function cpp(backend: WasmBackend): Cpp {
  let fns = cppByModule.get(backend.wasm);
  if (!fns) {
    const n = 'number';
    const a = 'array';
    fns = {
      matMul: backend.wasm.cwrap(BatchMatMul, null, [n, a, n, n, a, n, n, n, n]) as CppBatchMatMul,
      fused: backend.wasm.cwrap(_FusedMatMul, null, [n, a, n, n, a, n, n, n, n, n, n, n, n]) as CppFusedMatMul,
    };
    cppByModule.set(backend.wasm, fns);
  }
  return fns;
}

/** Values of cc/fusable_activations.h; only these two are clamps XNNPACK applies exactly. */
const CPP_LINEAR = 0;
const CPP_RELU = 1;
const CPP_RELU6 = 2;

interface Dims {
  M: number;
  K: number;
  N: number;
  batchA: number;
  batchB: number;
  outOuter: number[];
  batchOut: number;
}

export function matMulDims(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Dims {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  util.assert(
    K === Kb,
    () =>
      `Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${a.shape} and ` +
      `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outOuter = broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  return {
    M, K, N,
    batchA: util.sizeFromShape(outerA),
    batchB: util.sizeFromShape(outerB),
    outOuter,
    batchOut: util.sizeFromShape(outOuter),
  };
}

/** For each output batch, the operand's batch index under numpy broadcasting of outer dims. */
export function broadcastBatchIndex(outOuter: number[], outer: number[]): Int32Array {
  const total = util.sizeFromShape(outOuter);
  const idx = new Int32Array(total);
  const rank = outOuter.length;
  const offset = rank - outer.length;
  const strides = new Array<number>(outer.length);
  let s = 1;
  for (let k = outer.length - 1; k >= 0; k--) {
    strides[k] = s;
    s *= outer[k];
  }
  for (let i = 0; i < total; i++) {
    let rem = i;
    let j = 0;
    for (let k = rank - 1; k >= 0; k--) {
      const coord = rem % outOuter[k];
      rem = (rem - coord) / outOuter[k];
      const ko = k - offset;
      if (ko >= 0 && outer[ko] !== 1) j += coord * strides[ko];
    }
    idx[i] = j;
  }
  return idx;
}

/** An operand laid out as [batch, rows, cols] row-major in the heap, transposed if needed. */
interface Plain {
  id: number;
  offset: number;
  scratch: TensorInfo | null;
}

function plainOperand(backend: WasmBackend, t: TensorInfo, transposed: boolean, batch: number, rows: number, cols: number): Plain {
  const info = heapInfo(backend, t);
  if (!transposed) return { ...info, scratch: null };
  // t is stored [batch, cols, rows]; write [batch, rows, cols].
  const scratch = backend.makeOutput([batch, rows, cols], 'float32');
  const s = heapInfo(backend, scratch);
  const size = batch * rows * cols;
  // Views after the malloc above: heap growth detaches earlier ones.
  transposeBatched(heapF32(backend, info.offset, size), heapF32(backend, s.offset, size), batch, cols, rows);
  return { ...s, scratch };
}

interface FusedPart {
  activation: number;
  biasId: number;
}

/** out = A·B with A [batchA,M,K], B [batchB,K,N] plain, out [batchOut,M,N]; XNNPACK path only. */
function multiplyPlain(backend: WasmBackend, A: Plain, B: Plain, out: TensorInfo, d: Dims, aOuter: number[], bOuter: number[], fused: FusedPart | null): void {
  const { M, K, N } = d;
  const o = heapInfo(backend, out);
  const fns = cpp(backend);
  const call = (aId: number, rows: number, bId: number, outId: number) => {
    const as = shapeBytes([1, rows, K]);
    const bs = shapeBytes([1, K, N]);
    if (fused) fns.fused(aId, as, 3, bId, bs, 3, false, false, fused.activation, fused.biasId, 0, 0, outId);
    else fns.matMul(aId, as, 3, bId, bs, 3, false, false, outId);
  };
  if (d.batchB === 1) {
    // B shared by every batch: fold batches into rows, one GEMM.
    call(A.id, d.batchA * M, B.id, o.id);
    return;
  }
  const ia = broadcastBatchIndex(d.outOuter, aOuter);
  const ib = broadcastBatchIndex(d.outOuter, bOuter);
  for (let i = 0; i < d.batchOut; i++) {
    const av = heapView(backend, A.offset + ia[i] * M * K * 4, M * K);
    const bv = heapView(backend, B.offset + ib[i] * K * N * 4, K * N);
    const ov = heapView(backend, o.offset + i * M * N * 4, M * N);
    try {
      call(av.id, M, bv.id, ov.id);
    } finally {
      av.release();
      bv.release();
      ov.release();
    }
  }
}

function matMulInto(backend: WasmBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, fused: FusedPart | null): TensorInfo {
  const d = matMulDims(a, b, transposeA, transposeB);
  const out = backend.makeOutput([...d.outOuter, d.M, d.N], 'float32');
  if (d.batchOut * d.M * d.N === 0) return out;
  if (d.K === 0) {
    // An empty sum: XNNPACK refuses zero input channels.
    heapF32(backend, heapInfo(backend, out).offset, d.batchOut * d.M * d.N).fill(0);
    return out;
  }
  const A = plainOperand(backend, a, transposeA, d.batchA, d.M, d.K);
  const B = plainOperand(backend, b, transposeB, d.batchB, d.K, d.N);
  try {
    multiplyPlain(backend, A, B, out, d, a.shape.slice(0, -2), b.shape.slice(0, -2), fused);
  } finally {
    if (A.scratch) backend.disposeData(A.scratch.dataId);
    if (B.scratch) backend.disposeData(B.scratch.dataId);
  }
  return out;
}

function stockOrThrow(stock: KernelConfig | undefined, name: string): KernelFunc {
  if (!stock) throw new Error(`${name}: no stock wasm kernel to fall back to`);
  return stock.kernelFunc;
}

/** Per-batch size below which the stock scalar loop beats an XNNPACK call (measured). */
export const STOCK_MAX_MACS = 6000;
let stockMaxMacs = STOCK_MAX_MACS;

/** Tests set 0 to send every product through our path; returns the previous value. */
export function setStockMaxMacs(n: number): number {
  const prev = stockMaxMacs;
  stockMaxMacs = n;
  return prev;
}

export function wasmBatchMatMulConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const a = input(args, BatchMatMul, 'a');
    const b = input(args, BatchMatMul, 'b');
    const attrs = attrsOf(args);
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stockOrThrow(stock, BatchMatMul)(args);
    const tA = attrs.transposeA === true;
    const tB = attrs.transposeB === true;
    const d = matMulDims(a, b, tA, tB);
    // The stock loop indexes both operands by the same batch: only without broadcasting.
    // Not for empty products either: stock hands k = 0 to XNNPACK, which leaves garbage.
    const macs = d.M * d.K * d.N;
    if (stock && d.batchA === d.batchB && macs > 0 && macs <= stockMaxMacs) return stock.kernelFunc(args);
    const backend = asWasmBackend(args.backend);
    return matMulInto(backend, a, b, tA, tB, null);
  };
  return { kernelName: BatchMatMul, backendName: 'wasm', kernelFunc };
}

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'prelu', 'leakyrelu', 'sigmoid', 'elu'];

function runKernel(name: string, backend: WasmBackend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`_FusedMatMul: kernel ${name} is not registered for wasm`);
  return k.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

export function wasmFusedMatMulConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const a = input(args, _FusedMatMul, 'a');
    const b = input(args, _FusedMatMul, 'b');
    const { bias, preluActivationWeights } = args.inputs;
    const attrs = attrsOf(args);
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stockOrThrow(stock, _FusedMatMul)(args);
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    if (!ACTIVATIONS.includes(activation)) {
      throw new Error(`${activation} activation not yet supported for _FusedMatMul in the wasm backend.`);
    }
    const backend = asWasmBackend(args.backend);
    const tA = attrs.transposeA === true;
    const tB = attrs.transposeB === true;
    const N = tB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const K = tA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    // With K = 0 matMulInto writes zeros itself and fuses nothing.
    const biasInGemm = K > 0 && bias != null && bias.shape.length === 1 && bias.shape[0] === N && bias.dtype === 'float32';
    const clamp = activation === 'relu' ? CPP_RELU : activation === 'relu6' ? CPP_RELU6 : CPP_LINEAR;
    // Clamps are exact inside the GEMM only if the bias is added there too.
    const clampInGemm = K > 0 && (bias == null || biasInGemm);
    let out = matMulInto(backend, a, b, tA, tB, {
      activation: clampInGemm ? clamp : CPP_LINEAR,
      biasId: biasInGemm ? heapInfo(backend, bias).id : 0,
    });
    const replace = (next: TensorInfo) => {
      backend.disposeData(out.dataId);
      out = next;
    };
    if (bias != null && !biasInGemm) replace(runKernel('Add', backend, { a: out, b: bias }));
    if (!clampInGemm && activation === 'relu') replace(runKernel('Relu', backend, { x: out }));
    if (!clampInGemm && activation === 'relu6') replace(runKernel('Relu6', backend, { x: out }));
    if (activation === 'sigmoid') replace(runKernel('Sigmoid', backend, { x: out }));
    if (activation === 'elu') replace(runKernel('Elu', backend, { x: out }));
    if (activation === 'leakyrelu') {
      replace(runKernel('LeakyRelu', backend, { x: out }, { alpha: (attrs.leakyreluAlpha as number | undefined) ?? 0.2 }));
    }
    if (activation === 'prelu') {
      if (preluActivationWeights == null) throw new Error('_FusedMatMul: prelu activation needs preluActivationWeights');
      replace(runKernel('Prelu', backend, { x: out, alpha: preluActivationWeights }));
    }
    return out;
  };
  return { kernelName: _FusedMatMul, backendName: 'wasm', kernelFunc };
}
