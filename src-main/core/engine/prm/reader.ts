import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config';
import { NUMBER_FEATURES } from '../cot-table';
import type { Batch } from '../batch';
import { COLOUR_BINS, detailSize } from '../image-features';
import { batchedMatMul, linear, linearOnData, type Params, type ParamShapes } from '../ops';

/**
 * The image reader: how a step's claim about the picture is checked against it.
 *
 * 1. Patch encoder: the image is cut into non-overlapping P×P patches (a stride-P convolution
 *    written as one matMul) and each patch gets C learned ReLU detectors (shapes, strokes)
 *    beside its fixed colour histogram (image-features.ts).
 * 2. Where to look: each of `heads` read heads scores every patch row and every patch column
 *    from the step's words and bigrams ("bar c" → a column, "row 2" → a row, "cell 3" → a row
 *    and a column); a softmax over rows times a softmax over columns gives a patch its weight.
 *    Rows and columns are factored so that "row 2" is learnt once for every column.
 *    Measured on the built-in sample (seed 1, 1,500 steps): the earlier σ(row + column)
 *    weighting started at 0.5 on every patch, so every head read the whole image and moving
 *    one row's score changed the read by a 36th of that row; the uniform PRM then stayed at
 *    the label mean (step AUROC 0.53). With the two softmaxes a head starts as the image mean
 *    and moving a row's score moves the read towards that row's content, at full scale:
 *    step AUROC 0.82 (compare 0.98, path 0.96, gauge 0.87, bars 0.83).
 * 3. Read: the weighted sum of the selected patches' detectors per head, times the grid side
 *    G: a head on one row or column reads that row's (column's) sum, so "how many" (blocks of
 *    a bar) and "is there" both come out in patch units.
 * 4. Check: a ReLU layer on what was read, its product with the step's words (does the read
 *    colour meet the claimed one?), each head's read weighed by channels the step's words
 *    choose (how much red there is, to meet "3 red beads") and the step's numbers as
 *    quantities. The last term is one linear map from words to channels: without it, matching
 *    a count of one colour against a number took three factors to line up and was not learnt.
 *
 * Returns the check features k_t [S, H] (non-negative), one row per step.
 */
export function readerShapes(m: ModelConfig, bagWidth: number): ParamShapes {
  const G = m.imageSize / m.patchSize;
  const C = m.patchChannels + COLOUR_BINS;
  const h = m.readerHeads;
  return {
    'reader.patch': [detailSize(m.patchSize) ** 2 * 3, m.patchChannels],
    'reader.patchBias': [m.patchChannels],
    'reader.rows': [bagWidth, h * G],
    'reader.cols': [bagWidth, h * G],
    'reader.rowBias': [h * G],
    'reader.channels': [bagWidth, h * C],
    'reader.amount': [h, m.hidden],
    'reader.read': [h * C, m.hidden],
    'reader.readGate': [h * C, m.hidden],
    'reader.wordGate': [bagWidth, m.hidden],
    'reader.numbers': [NUMBER_FEATURES, m.hidden],
    'reader.bias': [m.hidden],
  };
}

export function readImage(p: Params, b: Batch, m: ModelConfig, words: tf.Tensor2D): tf.Tensor2D {
  if (!b.patches || !b.patchColours) throw new Error('image reader: the batch has no image patches');
  const { B, T } = b;
  const S = B * T;
  const G = m.imageSize / m.patchSize;
  const Np = G * G;
  const C = m.patchChannels + COLOUR_BINS;
  const h = m.readerHeads;
  // [B, Np, C] what each patch shows: learned detectors and the colour histogram
  const learned = tf.relu(tf.add(linearOnData(b.patches, p['reader.patch'] as tf.Tensor2D), p['reader.patchBias']));
  const detectors = tf.reshape(tf.concat([learned, b.patchColours], 1), [B, Np, C]);
  // [B, T*h, Np] where each head of each step looks: softmax over rows times softmax over columns
  // Rows and columns spread over the G×G patches by fixed 0/1 matrices: a matMul whose gradient
  // is a matMul, where broadcasting's gradient was a reduction that cost more than the read.
  const [byRow, byCol] = spreadOverPatches(G);
  const rowScores = tf.add(linearOnData(words, p['reader.rows'] as tf.Tensor2D), p['reader.rowBias']);
  const rows = linear(tf.softmax(tf.reshape(rowScores, [S * h, G]) as tf.Tensor2D), byRow);
  const colScores = linearOnData(words, p['reader.cols'] as tf.Tensor2D);
  const cols = linear(tf.softmax(tf.reshape(colScores, [S * h, G]) as tf.Tensor2D), byCol);
  const where = tf.reshape(tf.mul(rows, cols), [B, T * h, Np]);
  // [S, h*C] what each head read, in patch units along a row or column (see 3. above)
  const read = tf.reshape(tf.mul(batchedMatMul(where as tf.Tensor3D, detectors as tf.Tensor3D), G), [S, h * C]) as tf.Tensor2D;
  const gate = tf.mul(linear(read, p['reader.readGate'] as tf.Tensor2D), linearOnData(words, p['reader.wordGate'] as tf.Tensor2D));
  // [S, h] per head, the amount of the channels the words ask for
  const channels = tf.sigmoid(linearOnData(words, p['reader.channels'] as tf.Tensor2D));
  const amount = tf.sum(tf.reshape(tf.mul(read, channels), [S, h, C]), 2) as tf.Tensor2D;
  const pre = tf.addN([
    linear(read, p['reader.read'] as tf.Tensor2D),
    linear(amount, p['reader.amount'] as tf.Tensor2D),
    gate,
    linearOnData(b.stepNumbers, p['reader.numbers'] as tf.Tensor2D),
  ]);
  return tf.relu(tf.add(pre, p['reader.bias'])) as tf.Tensor2D;
}

/** [G, G*G] matrices that copy a score per patch row (column) to every patch in that row (column). */
function spreadOverPatches(G: number): [tf.Tensor2D, tf.Tensor2D] {
  const byRow = new Float32Array(G * G * G);
  const byCol = new Float32Array(G * G * G);
  for (let r = 0; r < G; r++) {
    for (let c = 0; c < G; c++) {
      byRow[r * G * G + r * G + c] = 1;
      byCol[c * G * G + r * G + c] = 1;
    }
  }
  return [tf.tensor2d(byRow, [G, G * G]), tf.tensor2d(byCol, [G, G * G])];
}
