import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config';
import { NUMBER_FEATURES } from '../cot-table';
import type { Batch } from '../batch';
import { dense, glorot, linear, linearOnData, type Params, type ParamShapes } from '../ops';
import type { Rng } from '../rng';
import { dropout, prefixSum } from './layers';
import { readerShapes, readImage } from './reader';
import { bagWidth, encodeText, textShapes } from './text';

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
  /** parameter name → shape; names are namespaced by part ("text.words", "reader.rows", …) */
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

/** Vectors (biases) start at zero, matrices Glorot-uniform: decided by rank, not by name. */
function initByRank(shapes: ParamShapes, rng: Rng): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const n = shape.reduce((a, b) => a * b, 1);
    out[name] = shape.length < 2 ? new Float32Array(n) : glorot(rng, shape[0], shape[shape.length - 1], shape);
  }
  return out;
}

/**
 * compact: a multimodal PRM trained from scratch, in three named parts:
 * - text (text.ts): the step in the context of its prefix and question, z_t;
 * - reader (reader.ts): what the step claims about the image checked against the image, k_t;
 * - fusion (here): z_t, the step's numbers, k_t and the running sum of k over steps 1..t
 *   (an earlier misreading is carried into every later step, as the policy carries it) ->
 *   ReLU layer -> logit.
 * With model.image = false the reader is absent (the text-only ablation).
 */
function compactPrm(spec: PrmSpec): Prm {
  const m = spec.model;
  const H = m.hidden;
  const width = bagWidth(m, spec.vocabSize);
  const shapes: ParamShapes = {
    ...textShapes(m, spec.vocabSize),
    ...(m.image ? readerShapes(m, width) : {}),
    'fusion.text': [H, H],
    'fusion.numbers': [NUMBER_FEATURES, H],
    ...(m.image ? { 'fusion.check': [H, H], 'fusion.checkSoFar': [H, H] } : {}),
    'fusion.bias': [H],
    'fusion.out': [H, 1],
    'fusion.outBias': [1],
  };
  const forward = (p: Params, b: Batch): tf.Tensor2D =>
    tf.tidy(() => {
      const { z, words } = encodeText(p, b, m, spec.vocabSize);
      const terms = [linear(z, p['fusion.text'] as tf.Tensor2D), linearOnData(b.stepNumbers, p['fusion.numbers'] as tf.Tensor2D)];
      if (m.image) {
        const k = readImage(p, b, m, words);
        terms.push(linear(k, p['fusion.check'] as tf.Tensor2D), linear(prefixSum(k, b.B, b.T), p['fusion.checkSoFar'] as tf.Tensor2D));
      }
      const f = dropout(tf.relu(tf.add(tf.addN(terms), p['fusion.bias'])) as tf.Tensor2D, b);
      return tf.reshape(dense(f, p['fusion.out'], p['fusion.outBias']), [b.B, b.T]) as tf.Tensor2D;
    });
  return { spec, shapes, init: (rng) => initByRank(shapes, rng), forward };
}

/** features: an MLP head on a precomputed per-step vector (from a large model elsewhere). */
function featuresPrm(spec: PrmSpec): Prm {
  const H = spec.model.hidden;
  const shapes: ParamShapes = {
    'head.in': [spec.vectorDim, H],
    'head.inBias': [H],
    'head.hidden': [H, H],
    'head.hiddenBias': [H],
    'head.out': [H, 1],
    'head.outBias': [1],
  };
  const forward = (p: Params, b: Batch): tf.Tensor2D =>
    tf.tidy(() => {
      if (!b.vectors) throw new Error('features PRM: the batch has no step vectors');
      const h1 = tf.relu(tf.add(linearOnData(b.vectors, p['head.in'] as tf.Tensor2D), p['head.inBias'])) as tf.Tensor2D;
      const h2 = tf.relu(dense(h1, p['head.hidden'], p['head.hiddenBias'])) as tf.Tensor2D;
      return tf.reshape(dense(h2, p['head.out'], p['head.outBias']), [b.B, b.T]) as tf.Tensor2D;
    });
  return { spec, shapes, init: (rng) => initByRank(shapes, rng), forward };
}
