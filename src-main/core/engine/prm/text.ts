import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config';
import { NUMBER_FEATURES } from '../cot-table';
import type { Batch } from '../batch';
import { linear, linearOnData, type Params, type ParamShapes } from '../ops';
import { bag, prefixMean, rmsNorm } from './layers';

/** What the text encoder gives every step: its state z and its bag of words and bigrams. */
export interface TextView {
  /** [S, H] the step in the context of its prefix and question */
  z: tf.Tensor2D;
  /** [S, V+Hb] the step's own words and hashed bigrams, counted */
  words: tf.Tensor2D;
}

/** Width of a step's bag: words (PAD dropped) and bigram buckets. */
export const bagWidth = (m: ModelConfig, vocabSize: number) => vocabSize - 1 + m.bigramBuckets;

export function textShapes(m: ModelConfig, vocabSize: number): ParamShapes {
  const V = vocabSize - 1;
  return {
    'text.words': [bagWidth(m, vocabSize), m.embedDim],
    'text.question': [V, m.embedDim],
    'text.mix': [2 * m.embedDim, m.hidden],
    'text.questionMix': [m.embedDim, m.hidden],
    'text.position': [m.maxSteps, m.hidden],
    'text.numbers': [NUMBER_FEATURES, m.hidden],
    'text.bias': [m.hidden],
  };
}

/**
 * The text encoder: each step is a bag of words and hashed word bigrams times an embedding
 * table; a causal prefix summary (mean of the step embeddings over steps 1..t) gives step t its
 * context; the question is a bag of words too. One layer mixes step, prefix, question, step
 * position and the step's numbers (as quantities) into z_t.
 */
export function encodeText(p: Params, b: Batch, m: ModelConfig, vocabSize: number): TextView {
  const { B, T } = b;
  const S = B * T;
  const H = m.hidden;
  let words: tf.Tensor2D = bag(b.stepTokens, vocabSize);
  if (m.bigramBuckets > 0 && b.stepBigrams) words = tf.concat([words, bag(b.stepBigrams, m.bigramBuckets + 1)], 1);
  const e = rmsNorm(linearOnData(words, p['text.words'] as tf.Tensor2D)); // [S, De]
  const prefix = prefixMean(e, B, T);
  const q = rmsNorm(linearOnData(bag(b.questionTokens, vocabSize), p['text.question'] as tf.Tensor2D)); // [B, De]
  const qh = tf.reshape(linear(q, p['text.questionMix'] as tf.Tensor2D), [B, 1, H]);
  // Steps past maxSteps (only when scoring long CoTs) share the last position.
  const posIds = Int32Array.from({ length: S }, (_, i) => Math.min(i % T, m.maxSteps - 1));
  const pos = tf.oneHot(tf.tensor1d(posIds, 'int32'), m.maxSteps) as tf.Tensor2D;
  const own = tf.addN([
    linear(tf.concat([e, prefix], 1), p['text.mix'] as tf.Tensor2D),
    linearOnData(pos, p['text.position'] as tf.Tensor2D),
    linearOnData(b.stepNumbers, p['text.numbers'] as tf.Tensor2D),
  ]);
  const zt = tf.add(tf.reshape(own, [B, T, H]), qh);
  return { z: rmsNorm(tf.relu(tf.add(tf.reshape(zt, [S, H]), p['text.bias'])) as tf.Tensor2D), words };
}
