import * as tf from '@tensorflow/tfjs';

/**
 * Aggregation of a CoT's per-step scores p_1..p_T into one score. The same functions serve the
 * upper-level meta loss (on tensors, differentiable) and best-of-N selection (on plain arrays),
 * so that the meta objective optimises exactly what evaluation later measures.
 */
import { AGGREGATIONS, isAggName, type AggName } from '../../../src-shared/evaluation';

export { AGGREGATIONS, isAggName, type AggName };

/** Probabilities are clamped before log/logit so a saturated step cannot produce ±Infinity. */
export const P_EPS = 1e-6;

const clampP = (p: number) => Math.min(1 - P_EPS, Math.max(P_EPS, p));
const logit = (p: number) => Math.log(clampP(p) / (1 - clampP(p)));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Aggregates one CoT's step scores. An empty CoT scores 0, so it is never preferred. */
export function aggregate(name: AggName, p: ArrayLike<number>): number {
  const n = p.length;
  if (n === 0) return 0;
  switch (name) {
    case 'mean': {
      let s = 0;
      for (let i = 0; i < n; i++) s += p[i];
      return s / n;
    }
    case 'logodds': {
      let s = 0;
      for (let i = 0; i < n; i++) s += logit(p[i]);
      return sigmoid(s / n);
    }
    case 'min': {
      let m = Infinity;
      for (let i = 0; i < n; i++) m = Math.min(m, p[i]);
      return m;
    }
    case 'max': {
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, p[i]);
      return m;
    }
    case 'prod': {
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.log(clampP(p[i]));
      return Math.exp(s);
    }
    case 'last':
      return p[n - 1];
  }
}

/**
 * Batched, differentiable aggregation. p and mask are [B, T] (mask 1 on a CoT's real steps,
 * which come first, 0 on padding); every row must have at least one real step. Returns [B].
 */
export function aggregateTensor(name: AggName, p: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const count = tf.sum(mask, 1);
    switch (name) {
      case 'mean':
        return tf.div(tf.sum(tf.mul(p, mask), 1), count);
      case 'logodds': {
        const pc = tf.clipByValue(p, P_EPS, 1 - P_EPS);
        const z = tf.sub(tf.log(pc), tf.log1p(tf.neg(pc)));
        return tf.sigmoid(tf.div(tf.sum(tf.mul(z, mask), 1), count));
      }
      // Padding is pushed out of range (p is in [0,1]) so it never wins the min or max.
      case 'min':
        return tf.min(tf.add(p, tf.mul(tf.sub(1, mask), 2)), 1);
      case 'max':
        return tf.max(tf.sub(p, tf.mul(tf.sub(1, mask), 2)), 1);
      case 'prod': {
        const lp = tf.log(tf.clipByValue(p, P_EPS, 1));
        return tf.exp(tf.sum(tf.mul(lp, mask), 1));
      }
      case 'last':
        return tf.sum(tf.mul(p, lastStepMask(mask)), 1);
    }
  }) as tf.Tensor1D;
}

/** One-hot of each row's last real step: mask[t] - mask[t+1]. */
export function lastStepMask(mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, t] = mask.shape;
    const next = tf.concat([tf.slice(mask, [0, 1], [b, t - 1]), tf.zeros([b, 1])], 1);
    return tf.sub(mask, next) as tf.Tensor2D;
  });
}
