import * as tf from '@tensorflow/tfjs';
import { NUMBER_FEATURES, type CotTable } from './cot-table';
import { gatherImages, type ImageTensors } from './image-features';

/**
 * A CotTable uploaded to tensors once. A batch is gathered from it by instance index on the
 * device; nothing is re-uploaded per step except the index vector.
 */
export interface DeviceTable {
  table: CotTable;
  stepTokens: tf.Tensor2D; // [n, T*L] int32
  stepBigrams: tf.Tensor2D | null; // [n, T*(L-1)] int32
  stepNumbers: tf.Tensor2D; // [n, T*NF]
  questionTokens: tf.Tensor2D; // [n, Lq] int32
  imageRow: tf.Tensor1D; // [n] int32
  stepMask: tf.Tensor2D; // [n, T]
  labels: tf.Tensor2D;
  labelMask: tf.Tensor2D;
  correct: tf.Tensor1D;
  domain: tf.Tensor1D; // int32
  question: tf.Tensor1D; // int32
  vectors: tf.Tensor2D | null; // [n, T*dv]
}

/** One gathered batch. Every tensor here belongs to the batch: dispose with disposeBatch. */
export interface Batch {
  B: number;
  T: number;
  L: number;
  Lq: number;
  /** instance indices into the table */
  index: Int32Array;
  /** set on training batches of the lower step only: dropout with a per-step seed */
  dropout?: { rate: number; seed: number };
  stepTokens: tf.Tensor2D; // [B*T, L]
  stepBigrams: tf.Tensor2D | null; // [B*T, L-1]
  stepNumbers: tf.Tensor2D; // [B*T, NF]
  questionTokens: tf.Tensor2D; // [B, Lq]
  patches: tf.Tensor2D | null; // [B*Np, (P/2)^2*3] ink at half resolution
  /** [B*Np, COLOUR_BINS] share of each patch's pixels in each colour bin */
  patchColours: tf.Tensor2D | null;
  stepMask: tf.Tensor2D; // [B, T]
  labels: tf.Tensor2D;
  labelMask: tf.Tensor2D;
  correct: tf.Tensor1D;
  domain: tf.Tensor1D;
  /** store ids of the CoTs' questions, int32 */
  question: tf.Tensor1D;
  vectors: tf.Tensor2D | null; // [B*T, dv]
}

export function uploadTable(t: CotTable): DeviceTable {
  return {
    table: t,
    stepTokens: tf.tensor2d(t.stepTokens, [t.n, t.T * t.L], 'int32'),
    stepBigrams: t.stepBigrams.length ? tf.tensor2d(t.stepBigrams, [t.n, t.T * (t.L - 1)], 'int32') : null,
    stepNumbers: tf.tensor2d(t.stepNumbers, [t.n, t.T * NUMBER_FEATURES]),
    questionTokens: tf.tensor2d(t.questionTokens, [t.n, t.Lq], 'int32'),
    imageRow: tf.tensor1d(t.imageRow, 'int32'),
    stepMask: tf.tensor2d(t.stepMask, [t.n, t.T]),
    labels: tf.tensor2d(t.labels, [t.n, t.T]),
    labelMask: tf.tensor2d(t.labelMask, [t.n, t.T]),
    correct: tf.tensor1d(t.correct),
    domain: tf.tensor1d(t.domain, 'int32'),
    question: tf.tensor1d(t.question, 'int32'),
    vectors: t.vectorDim ? tf.tensor2d(t.vectors, [t.n, t.T * t.vectorDim]) : null,
  };
}

export function disposeTable(d: DeviceTable): void {
  const { table: _t, ...tensors } = d;
  for (const x of Object.values(tensors)) x?.dispose();
}

/** The batch's image features; the gathered row index is only an intermediate, so it goes here. */
function imagesOfRows(images: ImageTensors, imageRows: tf.Tensor1D, patch: number): { patches: tf.Tensor2D; colours: tf.Tensor2D } {
  try {
    return gatherImages(images, imageRows, patch);
  } finally {
    imageRows.dispose();
  }
}

export function gatherBatch(d: DeviceTable, images: ImageTensors | null, index: Int32Array, patch: number): Batch {
  const t = d.table;
  const B = index.length;
  const idx = tf.tensor1d(index, 'int32');
  try {
    const rows = <X extends tf.Tensor>(x: X) => tf.gather(x, idx) as X;
    const reshaped = (x: tf.Tensor, shape: [number, number]) => tf.tidy(() => tf.reshape(rows(x), shape) as tf.Tensor2D);
    const image = images ? imagesOfRows(images, rows(d.imageRow), patch) : null;
    return {
      B,
      T: t.T,
      L: t.L,
      Lq: t.Lq,
      index,
      stepTokens: reshaped(d.stepTokens, [B * t.T, t.L]),
      stepBigrams: d.stepBigrams ? reshaped(d.stepBigrams, [B * t.T, t.L - 1]) : null,
      stepNumbers: reshaped(d.stepNumbers, [B * t.T, NUMBER_FEATURES]),
      questionTokens: rows(d.questionTokens),
      patches: image?.patches ?? null,
      patchColours: image?.colours ?? null,
      stepMask: rows(d.stepMask),
      labels: rows(d.labels),
      labelMask: rows(d.labelMask),
      correct: rows(d.correct),
      domain: rows(d.domain),
      question: rows(d.question),
      vectors: d.vectors ? reshaped(d.vectors, [B * t.T, t.vectorDim]) : null,
    };
  } finally {
    idx.dispose();
  }
}

export function disposeBatch(b: Batch): void {
  for (const x of [
    b.stepTokens,
    b.stepBigrams,
    b.stepNumbers,
    b.questionTokens,
    b.patches,
    b.patchColours,
    b.stepMask,
    b.labels,
    b.labelMask,
    b.correct,
    b.domain,
    b.question,
    b.vectors,
  ]) {
    x?.dispose();
  }
}
