/**
 * AdamW's update and the global squared gradient norm as single kernels on wasm and cpu.
 *
 * Why: written with tf ops, AdamW costs about 14 kernel calls per parameter tensor (mul,
 * add, square, div, sqrt, sub, assign…) plus two for the norm used by gradient clipping; in
 * the compact PRM's training step that is ≈240 of its ≈620 kernel calls, each paying tfjs's
 * per-op overhead and a fresh buffer. One pass in JS over the heap does the same arithmetic.
 *
 * What: `adamwUpdate` returns the new parameter and moments (the caller assigns them, so
 * no tensor is ever mutated in place); `sumOfSquares` returns Σ g² over a list of tensors.
 * Measured on wasm (µs per update, fused vs tf ops): 256 elements 5–30 vs 50–130; 4,096:
 * 30 vs 60–135; 16,384: 110 vs 100–130; 65,536: 425 vs 250. Scalar JS (a sqrt and a divide
 * per element, ≈6.5 ns) loses to XNNPACK's SIMD element-wise kernels once the per-call
 * overhead is amortised, so tensors above FUSED_MAX_ELEMENTS take the tf-ops path.
 * On other backends (tfjs-node, webgl) both functions use the equivalent tf ops.
 */
import * as tf from '@tensorflow/tfjs';
import { getKernel } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { asCpuBackend } from './cpu-backend';
import { attrsOf, input, type KernelArgs } from './kernel-args';
import { asWasmBackend, heapF32, heapInfo } from './wasm-heap';

export const ADAMW_KERNEL = 'DreamprmAdamW';
export const SUM_SQUARES_KERNEL = 'DreamprmSumOfSquares';

export interface AdamWParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1-based step count t (bias corrections 1 − βᵗ) */
  step: number;
  /** decoupled weight decay: x ← x·(1 − lr·weightDecay) before the Adam step */
  weightDecay: number;
  /** multiplies the gradient first (gradient clipping); default 1 */
  gradScale?: number;
}

/** The update on plain arrays: writes x', m', v'. Same order of operations as the tf-ops form. */
export function adamwArrays(
  x: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array,
  xo: Float32Array, mo: Float32Array, vo: Float32Array, a: NamedAttrMap,
): void {
  const lr = a.lr as number;
  const b1 = a.beta1 as number;
  const b2 = a.beta2 as number;
  const eps = a.eps as number;
  const t = a.step as number;
  const scale = (a.gradScale as number | undefined) ?? 1;
  const bc1 = 1 - b1 ** t;
  const bc2 = 1 - b2 ** t;
  const decay = 1 - lr * (a.weightDecay as number);
  for (let i = 0; i < x.length; i++) {
    const gi = g[i] * scale;
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    xo[i] = x[i] * decay - ((mi / bc1) / (Math.sqrt(vi / bc2) + eps)) * lr;
  }
}

function sumSq(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

const ADAM_INPUTS = ['x', 'm', 'v', 'g'] as const;

function checkSameShape(ts: TensorInfo[]): void {
  const s = ts[0].shape.join();
  for (const t of ts) {
    if (t.shape.join() !== s || t.dtype !== 'float32') {
      throw new Error(`${ADAMW_KERNEL}: x, m, v, g must be float32 of one shape, got [${ts.map((u) => `${u.dtype}[${u.shape}]`).join(', ')}]`);
    }
  }
}

export function wasmAdamWConfig(): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const ins = ADAM_INPUTS.map((n) => input(args, ADAMW_KERNEL, n));
    checkSameShape(ins);
    const backend = asWasmBackend(args.backend);
    const n = ins[0].shape.reduce((p, q) => p * q, 1);
    const outs = [0, 1, 2].map(() => backend.makeOutput(ins[0].shape, 'float32'));
    // Views after every malloc above.
    const [x, m, v, g] = ins.map((t) => heapF32(backend, heapInfo(backend, t).offset, n));
    const [xo, mo, vo] = outs.map((t) => heapF32(backend, heapInfo(backend, t).offset, n));
    adamwArrays(x, m, v, g, xo, mo, vo, attrsOf(args));
    return outs;
  };
  return { kernelName: ADAMW_KERNEL, backendName: 'wasm', kernelFunc };
}

export function cpuAdamWConfig(): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const ins = ADAM_INPUTS.map((n) => input(args, ADAMW_KERNEL, n));
    checkSameShape(ins);
    const backend = asCpuBackend(args.backend);
    const [x, m, v, g] = ins.map((t) => backend.readSync(t.dataId) as Float32Array);
    const [xo, mo, vo] = [0, 1, 2].map(() => new Float32Array(x.length));
    adamwArrays(x, m, v, g, xo, mo, vo, attrsOf(args));
    return [xo, mo, vo].map((a) => backend.makeTensorInfo(ins[0].shape, 'float32', a));
  };
  return { kernelName: ADAMW_KERNEL, backendName: 'cpu', kernelFunc };
}

function sumSquaresInputs(args: KernelArgs): TensorInfo[] {
  const ins = Object.keys(args.inputs).sort((p, q) => Number(p.slice(1)) - Number(q.slice(1))).map((k) => input(args, SUM_SQUARES_KERNEL, k));
  for (const t of ins) if (t.dtype !== 'float32') throw new Error(`${SUM_SQUARES_KERNEL}: inputs must be float32, got ${t.dtype}`);
  return ins;
}

export function wasmSumSquaresConfig(): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const backend = asWasmBackend(args.backend);
    const ins = sumSquaresInputs(args);
    const out = backend.makeOutput([], 'float32');
    let s = 0;
    for (const t of ins) s += sumSq(heapF32(backend, heapInfo(backend, t).offset, t.shape.reduce((p, q) => p * q, 1)));
    heapF32(backend, heapInfo(backend, out).offset, 1)[0] = s;
    return out;
  };
  return { kernelName: SUM_SQUARES_KERNEL, backendName: 'wasm', kernelFunc };
}

export function cpuSumSquaresConfig(): KernelConfig {
  const kernelFunc: KernelFunc = (args: KernelArgs) => {
    const backend = asCpuBackend(args.backend);
    let s = 0;
    for (const t of sumSquaresInputs(args)) s += sumSq(backend.readSync(t.dataId) as Float32Array);
    return backend.makeTensorInfo([], 'float32', Float32Array.of(s));
  };
  return { kernelName: SUM_SQUARES_KERNEL, backendName: 'cpu', kernelFunc };
}

const hasKernel = (name: string) => getKernel(name, tf.getBackend()) !== undefined;

/** Above this size the tf-ops AdamW is faster on wasm (see the header). */
export const FUSED_MAX_ELEMENTS = 16384;

/**
 * One AdamW step for one tensor: returns [x', m', v'] (new tensors; assign them and dispose
 * the old ones as you would with tf ops). One kernel on wasm/cpu with our kernels installed
 * for tensors up to FUSED_MAX_ELEMENTS, tf ops otherwise.
 */
export function adamwUpdate(x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, p: AdamWParams): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const attrs = { ...p, gradScale: p.gradScale ?? 1 };
  if (x.size <= FUSED_MAX_ELEMENTS && hasKernel(ADAMW_KERNEL)) {
    const inputs = { x, m, v, g } as unknown as tf.NamedTensorMap;
    return tf.engine().runKernel(ADAMW_KERNEL, inputs, attrs as unknown as NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  return tf.tidy(() => {
    const gs = attrs.gradScale === 1 ? g : tf.mul(g, attrs.gradScale);
    const m2 = tf.add(tf.mul(m, p.beta1), tf.mul(gs, 1 - p.beta1));
    const v2 = tf.add(tf.mul(v, p.beta2), tf.mul(tf.square(gs), 1 - p.beta2));
    const upd = tf.div(tf.div(m2, 1 - p.beta1 ** p.step), tf.add(tf.sqrt(tf.div(v2, 1 - p.beta2 ** p.step)), p.eps));
    const x2 = tf.sub(tf.mul(x, 1 - p.lr * p.weightDecay), tf.mul(upd, p.lr));
    return [x2, m2, v2] as [tf.Tensor, tf.Tensor, tf.Tensor];
  });
}

/** Σ over all tensors of Σ t² as a scalar tensor (the squared global norm for clipping). */
export function sumOfSquares(ts: readonly tf.Tensor[]): tf.Scalar {
  if (ts.length === 0) return tf.scalar(0);
  if (hasKernel(SUM_SQUARES_KERNEL)) {
    const inputs: tf.NamedTensorMap = {};
    ts.forEach((t, i) => (inputs[`t${i}`] = t));
    return tf.engine().runKernel(SUM_SQUARES_KERNEL, inputs, {}) as tf.Scalar;
  }
  return tf.tidy(() => tf.addN(ts.map((t) => tf.sum(tf.square(t)))) as tf.Scalar);
}
