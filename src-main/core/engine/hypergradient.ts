import * as tf from '@tensorflow/tfjs';
import type { AggName } from './aggregate';
import type { Batch } from './batch';
import { instanceLosses, metaLoss, weightedMean, type MetaTarget } from './losses';
import type { LowerProblem } from './lower';
import type { Params } from './ops';
import { runSync, type Reads } from './reads';

/**
 * Hypergradients h_i ≈ dL_meta/dw_i for the instances of the last training batch.
 *
 * Scale: darts returns -(ℓ_i(θ+) - ℓ_i(θ-)) / (2ε|B|) ≈ -(1/|B|) ∇θℓ_i·∇θL_meta, which is
 * Betty's reading (implicit differentiation with the inverse Hessian taken as identity) and
 * omits the lower learning rate η. exact returns ∂L_meta(θ - η∇θL_train(θ, w))/∂w_i, which is
 * η times that to first order. We keep Betty's scale for darts (the default): with the AdamW
 * upper optimizer the scale barely matters, and the two methods agree up to it (a test checks
 * their cosine similarity).
 */
export interface MetaSpec {
  agg: AggName;
  target: MetaTarget;
  /** darts: drop the part of ∇θ L_meta that only shifts every meta score alike (see below) */
  shiftInvariant?: boolean;
}

export interface HypergradResult {
  h: Float32Array;
  /** L_meta(θ) on the meta batch */
  metaLoss: number;
}

export function dartsHypergradient(lower: LowerProblem, batch: Batch, meta: Batch, spec: MetaSpec, radius: number): HypergradResult {
  return runSync(dartsReads(lower, batch, meta, spec, radius));
}

/** dartsHypergradient as a generator that yields what it reads (see reads.ts). */
export function* dartsReads(lower: LowerProblem, batch: Batch, meta: Batch, spec: MetaSpec, radius: number): Reads<HypergradResult> {
  const { loss, grads } = yield* lower.metaGradReads(meta, spec.agg, spec.target);
  try {
    const names = lower.names;
    if (spec.shiftInvariant) {
      // When the meta pool's rate of correct CoTs differs from the train labels' mean, most
      // of g says "move every score up (or down)", and instances whose labels are merely
      // lower (or higher) on average look helpful whatever their quality. Project out the
      // direction d = ∇θ (mean step logit on the meta batch) that does exactly that.
      const d = lower.shiftGrad(meta);
      tf.tidy(() => {
        const dot = tf.addN(names.map((n) => tf.sum(tf.mul(grads[n], d[n]))));
        const dd = tf.addN(names.map((n) => tf.sum(tf.square(d[n]))));
        const c = tf.div(dot, tf.maximum(dd, 1e-20));
        for (const n of names) {
          const projected = tf.keep(tf.sub(grads[n], tf.mul(c, d[n])));
          grads[n].dispose();
          grads[n] = projected;
        }
      });
      tf.dispose(Object.values(d));
    }
    const normT = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]))))));
    let norm: number;
    try {
      norm = (yield normT)[0];
    } finally {
      normT.dispose();
    }
    if (!(norm > 0) || !Number.isFinite(norm)) {
      // A zero meta gradient moves nothing; a non-finite one is reported by the caller's loss check.
      return { h: new Float32Array(batch.B), metaLoss: loss };
    }
    const eps = radius / norm;
    const hT = tf.tidy(() => {
      const shifted = (sign: number): Params => {
        const p: Params = {};
        for (const n of names) p[n] = tf.add(lower.vars[n], tf.mul(grads[n], sign * eps));
        return p;
      };
      const lPlus = instanceLosses(lower.loss, lower.prm.forward(shifted(1), batch), batch);
      const lMinus = instanceLosses(lower.loss, lower.prm.forward(shifted(-1), batch), batch);
      return tf.div(tf.sub(lPlus, lMinus), -2 * eps * batch.B);
    });
    try {
      return { h: yield hT, metaLoss: loss };
    } finally {
      hT.dispose();
    }
  } finally {
    tf.dispose(Object.values(grads));
  }
}

/**
 * Exact one-step hypergradient by nested automatic differentiation:
 * θ'(w) = θ - η ∇θ L_train(θ, w);  h = ∇w L_meta(θ'(w)), at w = the batch's current weights.
 */
export function exactHypergradient(lower: LowerProblem, batch: Batch, w: Float32Array, meta: Batch, spec: MetaSpec, eta: number): HypergradResult {
  return runSync(exactReads(lower, batch, w, meta, spec, eta));
}

/** exactHypergradient as a generator that yields what it reads (see reads.ts). */
export function* exactReads(
  lower: LowerProblem,
  batch: Batch,
  w: Float32Array,
  meta: Batch,
  spec: MetaSpec,
  eta: number,
): Reads<HypergradResult> {
  const names = lower.names;
  const theta = names.map((n) => lower.vars[n]);
  const record = (ts: tf.Tensor[]): Params => Object.fromEntries(names.map((n, i) => [n, ts[i]]));
  const wT = tf.tensor1d(w);
  try {
    const metaAt = (ws: tf.Tensor): tf.Scalar => {
      const g = tf.grads((...th: tf.Tensor[]) =>
        weightedMean(ws as tf.Tensor1D, instanceLosses(lower.loss, lower.prm.forward(record(th), batch), batch)),
      )(theta);
      const stepped = theta.map((t, i) => tf.sub(t, tf.mul(g[i], eta)));
      return metaLoss(spec.agg, spec.target, lower.prm.forward(record(stepped), meta), meta);
    };
    const grad = tf.tidy(() => tf.grad(metaAt)(wT));
    // Report L_meta at θ (not θ') like darts does.
    const lm = lower.metaLoss(lower.vars, meta, spec.agg, spec.target);
    try {
      const h = yield grad;
      return { h, metaLoss: (yield lm)[0] };
    } finally {
      tf.dispose([grad, lm]);
    }
  } finally {
    wT.dispose();
  }
}
