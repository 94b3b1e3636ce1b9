/**
 * A stand-in for one PRM training step, used to find and measure what is slow on the CPU
 * backends before the real PRM exists: a token-embedding gather with mean pooling, a patch
 * embedding by matMul ([batch·patches, 192]·[192, 64], as the compact PRM embeds image
 * patches without convolutions), a two-layer MLP head on the concatenation, sigmoid, MSE
 * against soft labels, then AdamW with global-norm clipping written as the trainer writes it
 * (adamwUpdate/sumOfSquares: one kernel each with our kernels, tf ops without).
 * Shapes follow issue 8; all sizes are configurable.
 */
import * as tf from '@tensorflow/tfjs';
import { adamwUpdate, sumOfSquares } from '../engine/backend/fused-adamw';

export interface PrmLikeConfig {
  batch: number;
  patches: number;
  /** floats per patch (8×8×3 = 192) */
  patchFeatures: number;
  patchDim: number;
  tokens: number;
  vocab: number;
  embedDim: number;
  hidden: number;
  seed: number;
}

const CLIP = 1;

export const PRM_LIKE_DEFAULTS: PrmLikeConfig = {
  batch: 64,
  patches: 36,
  patchFeatures: 192,
  patchDim: 64,
  tokens: 48,
  vocab: 4096,
  embedDim: 64,
  hidden: 64,
  seed: 7,
};

export interface PrmLikeStep {
  /** one optimizer step; returns the loss (the caller awaits and disposes it) */
  step: () => tf.Scalar;
  /** the matMul FLOPs of one step (forward + the backward products tfjs computes) */
  matmulFlops: number;
  dispose: () => void;
}

export function prmLikeStep(partial: Partial<PrmLikeConfig> = {}): PrmLikeStep {
  const c = { ...PRM_LIKE_DEFAULTS, ...partial };
  const s = c.seed;
  const init = (shape: number[], fanIn: number, k: number) =>
    tf.variable(tf.randomNormal(shape, 0, 1 / Math.sqrt(fanIn), 'float32', s + k));
  const emb = init([c.vocab, c.embedDim], c.embedDim, 1);
  const wp = init([c.patchFeatures, c.patchDim], c.patchFeatures, 2);
  const bp = tf.variable(tf.zeros([c.patchDim]));
  const w1 = init([c.embedDim + c.patchDim, c.hidden], c.embedDim + c.patchDim, 3);
  const b1 = tf.variable(tf.zeros([c.hidden]));
  const w2 = init([c.hidden, 1], c.hidden, 4);
  const b2 = tf.variable(tf.zeros([1]));
  const vars = [emb, wp, bp, w1, b1, w2, b2];

  const tokens = tf.randomUniform([c.batch * c.tokens], 0, c.vocab, 'int32', s + 5);
  const patches = tf.randomUniform([c.batch * c.patches, c.patchFeatures], 0, 1, 'float32', s + 6);
  const labels = tf.randomUniform([c.batch], 0, 1, 'float32', s + 7);
  const moments = vars.map((x) => [tf.variable(tf.zerosLike(x), false), tf.variable(tf.zerosLike(x), false)] as const);
  let t = 0;

  const loss = (): tf.Scalar => {
    const text = tf.gather(emb, tokens).reshape([c.batch, c.tokens, c.embedDim]).mean(1);
    const patchEmb = tf.fused.matMul({ a: patches, b: wp, bias: bp, activation: 'relu' });
    const image = patchEmb.reshape([c.batch, c.patches, c.patchDim]).mean(1);
    const h = tf.fused.matMul({ a: tf.concat([text, image], 1), b: w1, bias: b1, activation: 'relu' });
    const p = tf.sigmoid(tf.fused.matMul({ a: h, b: w2, bias: b2 })).reshape([c.batch]);
    return tf.losses.meanSquaredError(labels, p) as tf.Scalar;
  };

  const rows = c.batch * c.patches;
  const patchFlops = 2 * rows * c.patchFeatures * c.patchDim;
  const headIn = c.embedDim + c.patchDim;
  // patch layer: forward + dW (patches are data, no dX); head layers: forward, dX, dW.
  const matmulFlops = 2 * patchFlops + 3 * (2 * c.batch * headIn * c.hidden) + 3 * (2 * c.batch * c.hidden);

  return {
    step: () => {
      const { value, grads } = tf.variableGrads(loss, vars);
      const gs = vars.map((x) => grads[x.name]);
      const normSq = sumOfSquares(gs);
      const norm = Math.sqrt(normSq.dataSync()[0]);
      normSq.dispose();
      t += 1;
      const gradScale = norm > CLIP ? CLIP / norm : 1;
      vars.forEach((x, i) => {
        const [m, v] = moments[i];
        const [x2, m2, v2] = adamwUpdate(x, m, v, gs[i], { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: t, weightDecay: 0.01, gradScale });
        x.assign(x2);
        m.assign(m2);
        v.assign(v2);
        tf.dispose([x2, m2, v2]);
      });
      tf.dispose(gs);
      return value;
    },
    matmulFlops,
    dispose: () => {
      tf.dispose([...vars, ...moments.flat(), tokens, patches, labels]);
    },
  };
}
