import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import type { Batch } from './device';
import { dense, glorot, linear, linearOnData, type Params, type ParamShapes } from './ops';
import type { Rng } from './rng';

/**
 * Process reward models as pure functions of a parameter record: forward(params, batch) gives
 * one logit per step, logit(p_t). Being pure lets the hypergradient evaluate the same model at
 * perturbed parameters (darts) or at a differentiable function of them (exact) without
 * touching the trained variables.
 */
export interface PrmSpec {
  model: ModelConfig;
  /** vocabulary size incl. specials (compact) */
  vocabSize: number;
  /** step vector length (features) */
  vectorDim: number;
}

export interface Prm {
  spec: PrmSpec;
  shapes: ParamShapes;
  init(rng: Rng): Record<string, Float32Array>;
  /** logits [B, T] */
  forward(params: Params, batch: Batch): tf.Tensor2D;
}

export function createPrm(spec: PrmSpec): Prm {
  return spec.model.kind === 'features' ? featuresPrm(spec) : compactPrm(spec);
}

/** Parameter names in a fixed order: optimizer state and checkpoints follow it. */
export function paramNames(prm: Prm): string[] {
  return Object.keys(prm.shapes);
}

function initFrom(shapes: ParamShapes, rng: Rng): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const n = shape.reduce((a, b) => a * b, 1);
    // Biases start at zero; matrices Glorot-uniform.
    out[name] = name.startsWith('b') ? new Float32Array(n) : glorot(rng, shape[0], shape[1] ?? 1, shape);
  }
  return out;
}

/**
 * compact: a multimodal PRM trained from scratch.
 * - text: each step is a bag of words and hashed word bigrams (counts via denseBincount) times
 *   an embedding table; the question likewise. A causal prefix summary (cumulative mean of the
 *   step embeddings over steps 1..t) gives step t its context. One layer mixes step, prefix,
 *   question and step position into z_t.
 * - image: non-overlapping patches embedded by a 2-D matMul + ReLU, flattened (keeps where
 *   things are) and projected to v.
 * - fusion: [z_t, v, z_t * v] -> ReLU layer -> logit. The product lets a step's claim (a value,
 *   a colour) meet what the image shows.
 * With model.image = false the image path is absent (the text-only ablation).
 */
function compactPrm(spec: PrmSpec): Prm {
  const m = spec.model;
  const V = spec.vocabSize - 1; // PAD's count column is dropped
  const Hb = m.bigramBuckets;
  const De = m.embedDim;
  const H = m.hidden;
  const P = m.patchSize;
  const Np = (m.imageSize / P) ** 2;
  const shapes: ParamShapes = {
    wordEmb: [V + Hb, De],
    qEmb: [V, De],
    wText: [2 * De, H],
    wQ: [De, H],
    wPos: [m.maxSteps, H],
    bText: [H],
    wOut: [H, 1],
    bOut: [1],
  };
  if (m.image) {
    Object.assign(shapes, {
      wPatch: [P * P * 3, m.patchDim],
      bPatch: [m.patchDim],
      wImg: [Np * m.patchDim, m.imageDim],
      bImg: [m.imageDim],
      wZ: [H, H],
      wV: [m.imageDim, H],
      wZV: [H, H],
      bFuse: [H],
      wVz: [m.imageDim, H],
    });
  } else {
    Object.assign(shapes, { wZ: [H, H], bFuse: [H] });
  }

  /** Mean-pooled bag of ids 1..size-1 (0 is padding), [rows, size-1]. */
  const bag = (ids: tf.Tensor2D, size: number): tf.Tensor2D => {
    const counts = tf.slice(tf.denseBincount(ids, [] as number[], size), [0, 1], [-1, size - 1]);
    const n = tf.maximum(tf.sum(counts, 1, true), 1);
    return tf.div(counts, n) as tf.Tensor2D;
  };

  const forward = (p: Params, b: Batch): tf.Tensor2D =>
    tf.tidy(() => {
      const { B, T } = b;
      const S = B * T;
      let words: tf.Tensor2D = bag(b.stepTokens, V + 1);
      if (Hb > 0 && b.stepBigrams) words = tf.concat([words, bag(b.stepBigrams, Hb + 1)], 1);
      const e = linearOnData(words, p.wordEmb as tf.Tensor2D); // [S, De]
      // Causal prefix summary: mean of e_1..e_t, as one matMul with a lower-triangular
      // averaging matrix (tf.cumsum's gradient on a middle axis has the wrong shape in tfjs 4.22).
      const eT = tf.reshape(tf.transpose(tf.reshape(e, [B, T, De]), [1, 0, 2]), [T, B * De]) as tf.Tensor2D;
      const prefixT = linear(prefixAverager(T), eT);
      const prefix = tf.reshape(tf.transpose(tf.reshape(prefixT, [T, B, De]), [1, 0, 2]), [S, De]) as tf.Tensor2D;
      const q = linearOnData(bag(b.questionTokens, V + 1), p.qEmb as tf.Tensor2D); // [B, De]
      const qh = tf.reshape(linear(q, p.wQ as tf.Tensor2D), [B, 1, H]);
      const pos = tf.oneHot(tf.tile(tf.range(0, T, 1, 'int32'), [B]), m.maxSteps) as tf.Tensor2D;
      const zt = tf.add(
        tf.reshape(tf.add(linear(tf.concat([e, prefix], 1), p.wText as tf.Tensor2D), linearOnData(pos, p.wPos as tf.Tensor2D)), [B, T, H]),
        qh,
      );
      const z = tf.relu(tf.add(tf.reshape(zt, [S, H]), p.bText)) as tf.Tensor2D;
      let f: tf.Tensor2D;
      if (m.image && b.patches) {
        const patches = tf.relu(tf.add(linearOnData(b.patches, p.wPatch as tf.Tensor2D), p.bPatch));
        const v = tf.relu(dense(tf.reshape(patches, [B, Np * m.patchDim]) as tf.Tensor2D, p.wImg, p.bImg)); // [B, Di]
        // z * v needs v in z's width: a learned map of the image features into it.
        const vz = tf.reshape(linear(v as tf.Tensor2D, p.wVz as tf.Tensor2D), [B, 1, H]);
        const zv = tf.reshape(tf.mul(tf.reshape(z, [B, T, H]), vz), [S, H]) as tf.Tensor2D;
        const vh = tf.reshape(linear(v as tf.Tensor2D, p.wV as tf.Tensor2D), [B, 1, H]);
        const pre = tf.add(tf.reshape(tf.add(linear(z, p.wZ as tf.Tensor2D), linear(zv, p.wZV as tf.Tensor2D)), [B, T, H]), vh);
        f = tf.relu(tf.add(tf.reshape(pre, [S, H]), p.bFuse)) as tf.Tensor2D;
      } else {
        f = tf.relu(dense(z, p.wZ, p.bFuse)) as tf.Tensor2D;
      }
      return tf.reshape(dense(f, p.wOut, p.bOut), [B, T]) as tf.Tensor2D;
    });

  return { spec, shapes, init: (rng) => initFrom(shapes, rng), forward };
}

/** [T, T] with row t = 1/(t+1) on columns 0..t: left-multiplying averages each prefix. */
function prefixAverager(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let t = 0; t < T; t++) for (let u = 0; u <= t; u++) m[t * T + u] = 1 / (t + 1);
  return tf.tensor2d(m, [T, T]);
}

/** features: an MLP head on a precomputed per-step vector (from a large model elsewhere). */
function featuresPrm(spec: PrmSpec): Prm {
  const H = spec.model.hidden;
  const D = spec.vectorDim;
  const shapes: ParamShapes = { w1: [D, H], b1: [H], w2: [H, H], b2: [H], wOut: [H, 1], bOut: [1] };
  const forward = (p: Params, b: Batch): tf.Tensor2D =>
    tf.tidy(() => {
      if (!b.vectors) throw new Error('features PRM: the batch has no step vectors');
      const h1 = tf.relu(tf.add(linearOnData(b.vectors, p.w1 as tf.Tensor2D), p.b1)) as tf.Tensor2D;
      const h2 = tf.relu(dense(h1, p.w2, p.b2)) as tf.Tensor2D;
      return tf.reshape(dense(h2, p.wOut, p.bOut), [b.B, b.T]) as tf.Tensor2D;
    });
  return { spec, shapes, init: (rng) => initFrom(shapes, rng), forward };
}
