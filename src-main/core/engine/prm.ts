import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import { NUMBER_FEATURES } from './dataset';
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
 *   an embedding table; the question likewise. A causal prefix summary (mean of the step
 *   embeddings over steps 1..t) gives step t its context. One layer mixes step, prefix,
 *   question and step position into z_t.
 * - image: non-overlapping patches embedded by a 2-D matMul + ReLU plus a learned position
 *   embedding per patch. Each step attends over the patches (queries from z_t, a few heads):
 *   "bar B", "the red needle" look at different places. A flattened projection of all patches
 *   gives a global image vector v as well.
 * - fusion: z_t, the step's attended image context c_t, their product and v -> ReLU layer ->
 *   logit. The product lets a step's claim (a value, a colour) meet what the image shows.
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
  const Dp = m.patchDim;
  const heads = m.attentionHeads;
  const dk = m.attentionDim;
  const shapes: ParamShapes = {
    wordEmb: [V + Hb, De],
    qEmb: [V, De],
    wText: [2 * De, H],
    wQ: [De, H],
    wPos: [m.maxSteps, H],
    bText: [H],
    wZ: [H, H],
    wNumText: [NUMBER_FEATURES, H],
    wNum: [NUMBER_FEATURES, H],
    bFuse: [H],
    wOut: [H, 1],
    bOut: [1],
  };
  const usePatches = m.imagePatches || heads > 0;
  if (m.image && usePatches) {
    Object.assign(shapes, {
      wPatch: [P * P * 3, Dp],
      bPatch: [Dp],
      patchPos: [Np, Dp],
      wImg: [Np * Dp, m.imageDim],
    });
  }
  if (m.image) {
    Object.assign(shapes, {
      wProf: [2 * m.imageSize * 3, m.imageDim],
      bImg: [m.imageDim],
      wV: [m.imageDim, H],
      wVZ: [m.imageDim, H],
      wZV: [H, H],
      wClaimW: [V + Hb, H],
      wClaimV: [m.imageDim, H],
      wClaim: [H, H],
    });
    if (heads > 0) {
      Object.assign(shapes, {
        wQry: [H, heads * dk],
        wWhere: [V + Hb, heads * Np],
        wKey: [Dp, heads * dk],
        wVal: [Dp, heads * dk],
        wCtx: [H, H],
        wCtxZ: [heads * dk, H],
        bCtxZ: [H],
        bAtt: [1],
        wZC: [H, H],
      });
    }
  }

  /** Mean-pooled bag of ids 1..size-1 (0 is padding), [rows, size-1]. */
  const bag = (ids: tf.Tensor2D, size: number): tf.Tensor2D => {
    const counts = tf.slice(tf.denseBincount(ids, [] as number[], size), [0, 1], [-1, size - 1]);
    const n = tf.maximum(tf.sum(counts, 1, true), 1);
    return tf.div(counts, n) as tf.Tensor2D;
  };

  /** [B*rows, heads*d] -> [B*heads, rows, d] */
  const splitHeads = (x: tf.Tensor2D, B: number, rows: number, d: number): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(x, [B, rows, heads, d]), [0, 2, 1, 3]), [B * heads, rows, d]) as tf.Tensor3D;

  const textFeatures = (p: Params, b: Batch): { z: tf.Tensor2D; words: tf.Tensor2D } => {
    const { B, T } = b;
    const S = B * T;
    let words: tf.Tensor2D = bag(b.stepTokens, V + 1);
    if (Hb > 0 && b.stepBigrams) words = tf.concat([words, bag(b.stepBigrams, Hb + 1)], 1);
    const e = rmsNorm(linearOnData(words, p.wordEmb as tf.Tensor2D)); // [S, De]
    // Causal prefix summary: mean of e_1..e_t, as one matMul with a lower-triangular
    // averaging matrix (tf.cumsum's gradient on a middle axis has the wrong shape in tfjs 4.22).
    const eT = tf.reshape(tf.transpose(tf.reshape(e, [B, T, De]), [1, 0, 2]), [T, B * De]) as tf.Tensor2D;
    const prefixT = linear(prefixAverager(T), eT);
    const prefix = tf.reshape(tf.transpose(tf.reshape(prefixT, [T, B, De]), [1, 0, 2]), [S, De]) as tf.Tensor2D;
    const q = rmsNorm(linearOnData(bag(b.questionTokens, V + 1), p.qEmb as tf.Tensor2D)); // [B, De]
    const qh = tf.reshape(linear(q, p.wQ as tf.Tensor2D), [B, 1, H]);
    // Steps past maxSteps (only when scoring long CoTs) share the last position.
    const posIds = Int32Array.from({ length: S }, (_, i) => Math.min(i % T, m.maxSteps - 1));
    const pos = tf.oneHot(tf.tensor1d(posIds, 'int32'), m.maxSteps) as tf.Tensor2D;
    const zt = tf.add(
      tf.reshape(
        tf.addN([
          linear(tf.concat([e, prefix], 1), p.wText as tf.Tensor2D),
          linearOnData(pos, p.wPos as tf.Tensor2D),
          linearOnData(b.stepNumbers, p.wNumText as tf.Tensor2D),
        ]),
        [B, T, H],
      ),
      qh,
    );
    return { z: rmsNorm(tf.relu(tf.add(tf.reshape(zt, [S, H]), p.bText)) as tf.Tensor2D), words };
  };

  /** The image terms of the fusion layer's pre-activation, [S, H]. */
  const imageTerms = (p: Params, b: Batch, z: tf.Tensor2D, words: tf.Tensor2D, patchRows: tf.Tensor2D, profiles: tf.Tensor2D): tf.Tensor2D => {
    const { B, T } = b;
    const S = B * T;
    // Global view: the ink profiles and, optionally, all patches flattened (keeps where
    // things are), projected to v.
    let pe: tf.Tensor2D | null = null;
    let flat = linearOnData(profiles, p.wProf as tf.Tensor2D);
    if (usePatches) {
      const pe0 = tf.relu(tf.add(linearOnData(patchRows, p.wPatch as tf.Tensor2D), p.bPatch));
      pe = tf.reshape(tf.add(tf.reshape(pe0, [B, Np, Dp]), p.patchPos), [B * Np, Dp]) as tf.Tensor2D;
      flat = tf.add(flat, linear(tf.reshape(pe, [B, Np * Dp]) as tf.Tensor2D, p.wImg as tf.Tensor2D));
    }
    const v = dropout(rmsNorm(tf.relu(tf.add(flat, p.bImg)) as tf.Tensor2D), b);
    const vh = tf.reshape(linear(v, p.wV as tf.Tensor2D), [B, 1, H]);
    const vz = tf.reshape(linear(v, p.wVZ as tf.Tensor2D), [B, 1, H]);
    const zv = tf.reshape(tf.mul(tf.reshape(z, [B, T, H]), vz), [S, H]) as tf.Tensor2D;
    // Claim check: a bilinear form of the step's own words and the image, one layer from
    // the logit. "bar b ... 5" selects what the image says of bar B and meets the claimed 5
    // (the number features) in the fusion layer; through z alone this took far longer to learn.
    const cw = tf.reshape(rmsNorm(linearOnData(words, p.wClaimW as tf.Tensor2D)), [B, T, H]);
    const cv = tf.reshape(linear(v, p.wClaimV as tf.Tensor2D), [B, 1, H]);
    const claim = tf.reshape(tf.mul(cw, cv), [S, H]) as tf.Tensor2D;
    let terms = tf.add(linear(zv, p.wZV as tf.Tensor2D), linear(claim, p.wClaim as tf.Tensor2D));
    if (heads > 0 && pe) {
      // Local view: each step attends over the patches (sigmoid, not softmax, attention: the
      // context is a sum over the selected patches, so it keeps "how many" - shapes of a
      // colour, blocks of a bar - which normalised weights lose).
      const q = splitHeads(linear(z, p.wQry as tf.Tensor2D), B, T, dk);
      const k = splitHeads(linear(pe, p.wKey as tf.Tensor2D), B, Np, dk);
      const val = splitHeads(linear(pe, p.wVal as tf.Tensor2D), B, Np, dk);
      // Where to look: by content (query·key) and by place - each word votes for patches
      // directly ("b" for the second bar's column, "4" for the fourth row), which is linear in
      // the words and learns much faster than routing place through the query.
      const where = tf.reshape(
        tf.transpose(tf.reshape(linearOnData(words, p.wWhere as tf.Tensor2D), [B, T, heads, Np]), [0, 2, 1, 3]),
        [B * heads, T, Np],
      );
      const att = tf.sigmoid(tf.add(tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dk)), where), p.bAtt)) as tf.Tensor3D;
      const ctx3 = tf.div(tf.matMul(att, val), Math.sqrt(Np)); // [B*h, T, dk]
      const ctx = tf.reshape(tf.transpose(tf.reshape(ctx3, [B, heads, T, dk]), [0, 2, 1, 3]), [S, heads * dk]) as tf.Tensor2D;
      // A nonlinear readout before it meets the claim: equality of a claimed value with a
      // read one is not linear in either.
      const read = rmsNorm(tf.relu(tf.add(linear(ctx, p.wCtxZ as tf.Tensor2D), p.bCtxZ)) as tf.Tensor2D);
      const zc = tf.mul(z, read) as tf.Tensor2D;
      terms = tf.addN([terms, linear(read, p.wCtx as tf.Tensor2D), linear(zc, p.wZC as tf.Tensor2D)]);
    }
    return tf.reshape(tf.add(tf.reshape(terms, [B, T, H]), vh), [S, H]) as tf.Tensor2D;
  };

  const forward = (p: Params, b: Batch): tf.Tensor2D =>
    tf.tidy(() => {
      const { z, words } = textFeatures(p, b);
      // The step's numbers enter the fusion layer directly, beside what the image shows.
      let pre = tf.add(linear(z, p.wZ as tf.Tensor2D), linearOnData(b.stepNumbers, p.wNum as tf.Tensor2D));
      if (m.image && b.patches && b.profiles) pre = tf.add(pre, imageTerms(p, b, z, words, b.patches, b.profiles));
      const f = dropout(tf.relu(tf.add(pre, p.bFuse)) as tf.Tensor2D, b);
      return tf.reshape(dense(f, p.wOut, p.bOut), [b.B, b.T]) as tf.Tensor2D;
    });

  return { spec, shapes, init: (rng) => initFrom(shapes, rng), forward };
}

/**
 * Dropout on training batches (the lower step); identity when scoring, for the meta loss and
 * in the hypergradient. The seed is derived from the step, so runs stay reproducible and a
 * resumed run drops the same units.
 */
function dropout(x: tf.Tensor2D, b: Batch): tf.Tensor2D {
  const d = b.dropout;
  return d && d.rate > 0 ? (tf.dropout(x, d.rate, undefined, d.seed) as tf.Tensor2D) : x;
}

/**
 * Scales each row to unit root-mean-square. The fusion multiplies text and image features;
 * without this both start tiny (mean-pooled embeddings, fresh projections), their product
 * tinier, and the multiplicative path learns only after a long plateau.
 */
function rmsNorm(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), 1, true), 1e-6))) as tf.Tensor2D;
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
