/**
 * The start-up parity check: one forward and backward pass of the PRM (the run's model config,
 * the real model code) on a fixed synthetic batch, on the chosen backend and on tfjs's cpu
 * backend, compared value by value. A GPU backend that computes wrongly (a driver bug, a kernel
 * tfjs-backend-webgpu gets wrong on some adapter) would otherwise train quietly to a wrong model.
 * The batch is synthetic so the check runs before any data is on the device: a failure only
 * costs switching backends, never moving a run's tensors off a broken one.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from './batch';
import type { ModelConfig } from './config';
import { NUMBER_FEATURES } from './cot-table';
import { COLOUR_BINS, detailSize } from './image-features';
import { createPrm, type PrmSpec } from './prm';
import { Rng } from './rng';

export interface ParityResult {
  ok: boolean;
  /** largest |backend − cpu| over the logits, the loss, the gradient norm and every gradient */
  maxAbsDiff: number;
  /** what failed: the values differ, or the pass threw */
  reason: string | null;
}

/** float32 sums in another order differ by ~1e-6 relative; a wrong kernel differs by far more. */
const ATOL = 1e-4;
const RTOL = 1e-3;
const B = 2;
const T = 3;
/** the features PRM's vector length in the check (a run's own comes with its data) */
const VECTOR_DIM = 16;

function fill(rng: Rng, n: number, draw: (rng: Rng) => number): number[] {
  return Array.from({ length: n }, () => draw(rng));
}

/** A fixed batch of B CoTs × T steps that every input of the PRM reads. */
function syntheticBatch(m: ModelConfig, vocab: number): Batch {
  const rng = new Rng(12345);
  const S = B * T;
  const L = m.maxStepTokens;
  const Lq = m.maxQuestionTokens;
  const Np = (m.imageSize / m.patchSize) ** 2;
  const detail = detailSize(m.patchSize) ** 2 * 3;
  const u = (r: Rng) => r.next();
  return {
    B,
    T,
    L,
    Lq,
    index: Int32Array.from({ length: B }, (_, i) => i),
    stepTokens: tf.tensor2d(fill(rng, S * L, (r) => r.int(vocab)), [S, L], 'int32'),
    stepBigrams: m.bigramBuckets > 0 ? tf.tensor2d(fill(rng, S * (L - 1), (r) => r.int(m.bigramBuckets + 1)), [S, L - 1], 'int32') : null,
    stepNumbers: tf.tensor2d(fill(rng, S * NUMBER_FEATURES, u), [S, NUMBER_FEATURES]),
    questionTokens: tf.tensor2d(fill(rng, B * Lq, (r) => r.int(vocab)), [B, Lq], 'int32'),
    patches: tf.tensor2d(fill(rng, B * Np * detail, u), [B * Np, detail]),
    patchColours: tf.tensor2d(fill(rng, B * Np * COLOUR_BINS, u), [B * Np, COLOUR_BINS]),
    stepMask: tf.ones([B, T]),
    labels: tf.tensor2d(fill(rng, S, u), [B, T]),
    labelMask: tf.ones([B, T]),
    correct: tf.tensor1d([1, 0]),
    domain: tf.zeros([B], 'int32'),
    question: tf.tensor1d([0, 1], 'int32'),
    vectors: tf.tensor2d(fill(rng, S * VECTOR_DIM, u), [S, VECTOR_DIM]),
  };
}

/**
 * Logits, squared-error loss and its gradient for every parameter, read back to the host.
 * Read asynchronously: tfjs-backend-webgpu has no synchronous read in Node.
 */
export async function prmPass(model: ModelConfig): Promise<Float32Array[]> {
  const spec: PrmSpec = { model, vocabSize: model.vocabSize, vectorDim: VECTOR_DIM };
  const prm = createPrm(spec);
  const init = prm.init(new Rng(7));
  const names = Object.keys(prm.shapes);
  const outputs = tf.tidy(() => {
    const batch = syntheticBatch(model, spec.vocabSize);
    const params = names.map((n) => tf.tensor(init[n], prm.shapes[n]));
    const f = (...xs: tf.Tensor[]) => {
      const logits = prm.forward(Object.fromEntries(names.map((n, i) => [n, xs[i]])), batch);
      return tf.mean(tf.square(tf.sub(tf.sigmoid(logits), batch.labels))) as tf.Scalar;
    };
    const logits = prm.forward(Object.fromEntries(names.map((n, i) => [n, params[i]])), batch);
    const { value, grads } = tf.valueAndGrads(f)(params);
    // The clipping norm: an AddN over every parameter's gradient, as the optimizer computes it.
    const normSq = tf.addN(grads.map((g) => tf.sum(tf.square(g))));
    return [logits, value, normSq, ...grads];
  });
  try {
    return (await Promise.all(outputs.map((t) => t.data()))) as Float32Array[];
  } finally {
    tf.dispose(outputs);
  }
}

/** The largest absolute difference, and whether every value is within tolerance. */
export function compareValues(got: Float32Array[], want: Float32Array[]): { maxAbsDiff: number; within: boolean } {
  let maxAbsDiff = 0;
  let within = got.length === want.length;
  want.forEach((w, k) => {
    const g = got[k];
    if (!g || g.length !== w.length) {
      within = false;
      return;
    }
    for (let i = 0; i < w.length; i++) {
      const d = Math.abs(g[i] - w[i]);
      if (!(d <= ATOL + RTOL * Math.abs(w[i]))) within = false;
      if (d > maxAbsDiff || Number.isNaN(d)) maxAbsDiff = Number.isNaN(d) ? Infinity : d;
    }
  });
  return { maxAbsDiff, within };
}

/** Runs the pass on the active backend and on cpu, then switches back to the active one. */
export async function checkParity(model: ModelConfig): Promise<ParityResult> {
  const active = tf.getBackend();
  let got: Float32Array[];
  try {
    got = await prmPass(model);
  } catch (e) {
    return { ok: false, maxAbsDiff: Infinity, reason: `the PRM's forward and backward pass failed: ${(e as Error).message}` };
  }
  await tf.setBackend('cpu');
  let want: Float32Array[];
  try {
    want = await prmPass(model);
  } finally {
    await tf.setBackend(active);
  }
  const { maxAbsDiff, within } = compareValues(got, want);
  const reason = within
    ? null
    : `the PRM's forward and backward pass differs from the cpu backend's by up to ${maxAbsDiff.toExponential(2)} ` +
      `(allowed: ${ATOL} + ${RTOL} × |value|)`;
  return { ok: within, maxAbsDiff, reason };
}

export const PARITY_TOLERANCE = { atol: ATOL, rtol: RTOL };
