import * as tf from '@tensorflow/tfjs';
import { aggregateTensor, P_EPS, type AggName } from './aggregate';
import type { Batch } from './batch';
import { customGrad } from './ops';
import type { MetaTarget } from '../../../src-shared/training';

export { META_TARGETS, type MetaTarget } from '../../../src-shared/training';

export type LowerLoss = 'mse' | 'bce';

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
      // Pairwise: a correct CoT should outscore an incorrect one, softplus(z_k - z_j) on the
      // aggregates' standardised log-odds. Best-of-N only compares scores, so the loss sees
      // only their order: blind to a shift (a base-rate difference between train labels and
      // the meta pool) and to a scale (an overconfident PRM, which labels pulled towards 0.5
      // would otherwise "improve"). Pairs are taken within a question - the comparison
      // best-of-N makes - when the batch has any, else across the batch.
      const a = tf.clipByValue(aggregateTensor(agg, p, b.stepMask), P_EPS, 1 - P_EPS);
      const s = tf.sub(tf.log(a), tf.log1p(tf.neg(a)));
      const { mean, variance } = tf.moments(s);
      const z = tf.div(tf.sub(s, mean), tf.sqrt(tf.add(variance, 1e-6)));
      const y = b.correct;
      const pairs = tf.mul(tf.reshape(y, [-1, 1]), tf.reshape(tf.sub(1, y), [1, -1])); // [j correct, k incorrect]
      const same = tf.cast(tf.equal(tf.reshape(b.question, [-1, 1]), tf.reshape(b.question, [1, -1])), 'float32');
      const within = tf.mul(pairs, same);
      const chosen = tf.where(tf.greater(tf.sum(within), 0), within, pairs);
      const diff = tf.sub(tf.reshape(z, [1, -1]), tf.reshape(z, [-1, 1])); // z_k - z_j
      const n = tf.maximum(tf.sum(chosen), 1);
      return tf.div(tf.sum(tf.mul(chosen, tf.softplus(diff))), n) as tf.Scalar;
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
