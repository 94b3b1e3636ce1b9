import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../batch';

/**
 * Small building blocks the PRM parts share. Everything works on [S, ·] step rows, S = B*T,
 * row s = b*T + t.
 */

/**
 * Bag of ids 1..size-1 (0 is padding) as counts, [rows, size-1]. Counts, not means: the
 * reader's "where to look" is linear in the bag, and a mean over ~8 tokens would shrink each
 * word's effect (and so its learning rate) eightfold; the text path normalises after its
 * embedding, so the scale does not matter there.
 */
export function bag(ids: tf.Tensor2D, size: number): tf.Tensor2D {
  // One 1-D count over row-offset ids (row r's id i counts at r*size + i): tfjs-backend-webgpu
  // 4.22's 2-D denseBincount fills only the first rows (found by the webgpu parity check).
  const rows = ids.shape[0];
  const offsets = tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(size, 'int32')).reshape([rows, 1]);
  const flat = tf.reshape(tf.add(ids, offsets), [-1]) as tf.Tensor1D;
  const counts = tf.reshape(tf.denseBincount(flat, [] as number[], rows * size), [rows, size]);
  return tf.slice(counts, [0, 1], [-1, size - 1]) as tf.Tensor2D;
}

/**
 * Scales each row to unit root-mean-square. Products of text and image features start tiny
 * (mean-pooled embeddings, fresh projections) without it, and the multiplicative path then
 * learns only after a long plateau.
 */
export function rmsNorm(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), 1, true), 1e-6))) as tf.Tensor2D;
}

/** [T, T] lower-triangular: row t has `value(t)` on columns 0..t. */
function lowerTriangle(T: number, value: (t: number) => number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let t = 0; t < T; t++) for (let u = 0; u <= t; u++) m[t * T + u] = value(t);
  return tf.tensor2d(m, [T, T]);
}

/**
 * Causal mean (or sum) over steps of [S, D] rows: row (b, t) becomes the mean (sum) of rows
 * (b, 0..t). One matMul with a lower-triangular matrix (tf.cumsum's gradient on a middle axis
 * has the wrong shape in tfjs 4.22, and a running max's gradient ran 5x slower than the rest
 * of the reader on wasm).
 */
function prefixReduce(x: tf.Tensor2D, B: number, T: number, value: (t: number) => number): tf.Tensor2D {
  const D = x.shape[1];
  const xT = tf.reshape(tf.transpose(tf.reshape(x, [B, T, D]), [1, 0, 2]), [T, B * D]) as tf.Tensor2D;
  const reduced = tf.matMul(lowerTriangle(T, value), xT);
  return tf.reshape(tf.transpose(tf.reshape(reduced, [T, B, D]), [1, 0, 2]), [B * T, D]) as tf.Tensor2D;
}

export const prefixMean = (x: tf.Tensor2D, B: number, T: number) => prefixReduce(x, B, T, (t) => 1 / (t + 1));

/**
 * Causal sum: "some earlier step looked wrong" reaches every later step at full strength; a
 * mean would shrink one bad reading among six steps to a sixth.
 */
export const prefixSum = (x: tf.Tensor2D, B: number, T: number) => prefixReduce(x, B, T, () => 1);

/**
 * Dropout on training batches (the lower step); identity when scoring, for the meta loss and
 * in the hypergradient. The seed comes from the step, so runs are reproducible and a resumed
 * run drops the same units.
 */
export function dropout(x: tf.Tensor2D, b: Batch): tf.Tensor2D {
  const d = b.dropout;
  return d && d.rate > 0 ? (tf.dropout(x, d.rate, undefined, d.seed) as tf.Tensor2D) : x;
}
