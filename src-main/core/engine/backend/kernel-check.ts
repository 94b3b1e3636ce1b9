/**
 * Runs the same computation on a backend with our kernels and on the reference (the stock
 * `cpu` kernels), and measures how far apart they are. Used by the kernel tests and usable
 * as a self-check on a user's machine.
 */
import * as tf from '@tensorflow/tfjs';
import { registerFastKernels, unregisterFastKernels, type FastBackend } from './register';

export type Computation = () => tf.Tensor | tf.Tensor[];

/** Runs `fn` on `backend` with (fast=true) or without our kernels; returns each output's values and shape. */
export async function runOn(
  backend: FastBackend,
  fast: boolean,
  fn: Computation,
): Promise<{ values: Float32Array; shape: number[] }[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  if (fast) registerFastKernels(backend);
  else unregisterFastKernels(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  try {
    const res = [];
    for (const t of list) res.push({ values: Float32Array.from(await t.data()), shape: t.shape });
    return res;
  } finally {
    tf.dispose(list);
  }
}

/** max |a − b| / max |ref| (0 when both are all zeros); Infinity on a length mismatch or NaN. */
export function relativeError(ref: ArrayLike<number>, got: ArrayLike<number>): number {
  if (ref.length !== got.length) return Infinity;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ref[i] - got[i]);
    if (Number.isNaN(d)) return Infinity;
    if (d > maxDiff) maxDiff = d;
    const r = Math.abs(ref[i]);
    if (r > maxRef) maxRef = r;
  }
  if (maxDiff === 0) return 0;
  return maxRef === 0 ? Infinity : maxDiff / maxRef;
}

export interface CheckResult {
  /** worst relative error over all outputs */
  error: number;
  shapesMatch: boolean;
}

/** Compares `fn` on `backend` with our kernels against the stock cpu kernels. */
export async function checkAgainstReference(backend: FastBackend, fn: Computation): Promise<CheckResult> {
  const ref = await runOn('cpu', false, fn);
  const got = await runOn(backend, true, fn);
  let error = ref.length === got.length ? 0 : Infinity;
  let shapesMatch = ref.length === got.length;
  for (let i = 0; i < Math.min(ref.length, got.length); i++) {
    error = Math.max(error, relativeError(ref[i].values, got[i].values));
    shapesMatch &&= ref[i].shape.join() === got[i].shape.join();
  }
  return { error, shapesMatch };
}

/** A small deterministic generator of test data (mulberry32). */
export function randomFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}
