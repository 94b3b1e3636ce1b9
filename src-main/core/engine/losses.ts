import * as tf from '@tensorflow/tfjs';
import { aggregateTensor, P_EPS, type AggName } from './aggregate';
import type { Batch } from './device';
import { customGrad } from './ops';

export type LowerLoss = 'mse' | 'bce';
export type MetaTarget = 'label' | 'both' | 'rank';

/**
 * Per-instance lower loss ℓ_i = mean over the instance's labelled steps of L(p_t, m_t), [B].
 * BCE is computed from logits (softplus(z) - z·m) so it stays finite when p saturates.
 */
export function instanceLosses(kind: LowerLoss, logits: tf.Tensor2D, b: Batch): tf.Tensor1D {
  return tf.tidy(() => {
    const per =
      kind === 'mse'
        ? tf.square(tf.sub(tf.sigmoid(logits), b.labels))
        : tf.sub(tf.softplus(logits), tf.mul(logits, b.labels));
    const n = tf.maximum(tf.sum(b.labelMask, 1), 1);
    return tf.div(tf.sum(tf.mul(per, b.labelMask), 1), n) as tf.Tensor1D;
  });
}

/** L_train = (1/|B|) Σ w_i ℓ_i */
export function weightedMean(w: tf.Tensor1D, losses: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.mul(w, losses)) as tf.Scalar);
}

/**
 * Upper-level loss on a meta batch: aggregate each CoT's step scores as best-of-N will, then
 * 'label': mean (A_j - y_j)^2 (DreamPRM); 'both': A_j over p if y_j = 1 else over 1 - p,
 * mean (A_j - 1)^2 (DreamPRM-1.5); 'rank': pairwise, correct above incorrect (ours, see below).
 */
export function metaLoss(agg: AggName, target: MetaTarget, logits: tf.Tensor2D, b: Batch): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.sigmoid(logits) as tf.Tensor2D;
    if (target === 'label') {
      const a = aggregateTensor(agg, p, b.stepMask);
      return tf.mean(tf.square(tf.sub(a, b.correct))) as tf.Scalar;
    }
    if (target === 'rank') {
      // Pairwise: every correct CoT should outscore every incorrect one, softplus(s_k - s_j)
      // on the aggregates' log-odds. Invariant to a shift of all scores, so a difference in
      // base rate between the train labels and the meta pool does not drive the weights.
      const a = tf.clipByValue(aggregateTensor(agg, p, b.stepMask), P_EPS, 1 - P_EPS);
      const s = tf.sub(tf.log(a), tf.log1p(tf.neg(a)));
      const y = b.correct;
      const pairs = tf.mul(tf.reshape(y, [-1, 1]), tf.reshape(tf.sub(1, y), [1, -1])); // [j correct, k incorrect]
      const diff = tf.sub(tf.reshape(s, [1, -1]), tf.reshape(s, [-1, 1])); // s_k - s_j
      const n = tf.maximum(tf.sum(pairs), 1);
      return tf.div(tf.sum(tf.mul(pairs, tf.softplus(diff))), n) as tf.Scalar;
    }
    const y = tf.reshape(b.correct, [b.B, 1]);
    // y·p + (1-y)·(1-p): p for correct CoTs, 1 - p for incorrect ones.
    const toward = tf.add(tf.mul(y, p), tf.mul(tf.sub(1, y), tf.sub(1, p))) as tf.Tensor2D;
    const a = aggregateTensor(agg, toward, b.stepMask);
    return tf.mean(tf.square(tf.sub(a, 1))) as tf.Scalar;
  });
}

/** Identity whose gradient is zero: a value used as a constant inside a differentiated function. */
export const stopGradient = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as unknown as <T extends tf.Tensor>(x: T) => T;
