import * as tf from '@tensorflow/tfjs';
import { NUMBER_FEATURES, type CotTable, type ImageTable } from './dataset';

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
  patches: tf.Tensor2D | null; // [B*Np, P*P*3]
  profiles: tf.Tensor2D | null; // [B, 2*S*3]
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

/**
 * Rearranges [n, S, S, 3] pixels into non-overlapping patches [n, (S/P)^2, P*P*3], row-major
 * over patches, so that a patch embedding is one 2-D matMul (no conv2d: the wasm backend has
 * no Conv2DBackpropFilter, and the patch layer needs only its weight gradient anyway).
 */
export function patchify(img: ImageTable, patch: number): Float32Array {
  const { size: S, count } = img;
  const g = S / patch;
  const per = S * S * 3;
  const out = new Float32Array(count * per);
  let o = 0;
  for (let n = 0; n < count; n++) {
    const base = n * per;
    for (let py = 0; py < g; py++) {
      for (let px = 0; px < g; px++) {
        for (let y = 0; y < patch; y++) {
          const rowStart = base + ((py * patch + y) * S + px * patch) * 3;
          for (let k = 0; k < patch * 3; k++) out[o++] = img.pixels[rowStart + k];
        }
      }
    }
  }
  return out;
}

/** Row and column ink profiles per channel: 2 * S * 3 values per image. */
export const profileSize = (size: number) => 2 * size * 3;

/**
 * Images on the device, one row each: the patches [Np*P*P*3] followed by the row and column
 * ink profiles [2*S*3]. Pixels become "ink" (1 - intensity): charts and diagrams are mostly
 * white, and inverting makes the background 0 so that features come from what is drawn.
 * The profiles (mean ink of each pixel row and column, per channel) are the classic
 * projection features of chart reading: a bar's height, the cells of a colour in a row, a
 * disc's row are linear in them and exact, which a PRM learning from noisy step labels
 * otherwise has to discover from patches. Row 0 (no image) stays all zero.
 */
export function uploadImages(img: ImageTable, patch: number): tf.Tensor2D {
  const S = img.size;
  const per = S * S * 3;
  const prof = profileSize(S);
  const patches = patchify(img, patch);
  const out = new Float32Array(img.count * (per + prof));
  for (let n = 1; n < img.count; n++) {
    const o = n * (per + prof);
    for (let i = 0; i < per; i++) out[o + i] = 1 - patches[n * per + i];
    const rows = o + per;
    const cols = rows + S * 3;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        for (let c = 0; c < 3; c++) {
          const ink = (1 - img.pixels[n * per + (y * S + x) * 3 + c]) / S;
          out[rows + y * 3 + c] += ink;
          out[cols + x * 3 + c] += ink;
        }
      }
    }
  }
  return tf.tensor2d(out, [img.count, per + prof]);
}

export function gatherBatch(d: DeviceTable, images: tf.Tensor2D | null, index: Int32Array, patch: number): Batch {
  const t = d.table;
  const B = index.length;
  const idx = tf.tensor1d(index, 'int32');
  try {
    const rows = <X extends tf.Tensor>(x: X) => tf.gather(x, idx) as X;
    const reshaped = (x: tf.Tensor, shape: [number, number]) => tf.tidy(() => tf.reshape(rows(x), shape) as tf.Tensor2D);
    let patches: tf.Tensor2D | null = null;
    let profiles: tf.Tensor2D | null = null;
    if (images) {
      // Row width = S*S*3 + 2*S*3 = 3S(S + 2): solve for S.
      const S = Math.round(-1 + Math.sqrt(1 + images.shape[1] / 3));
      const per = S * S * 3;
      const np = per / (patch * patch * 3);
      [patches, profiles] = tf.tidy(() => {
        const g = tf.gather(images, rows(d.imageRow));
        return [
          tf.reshape(tf.slice(g, [0, 0], [B, per]), [B * np, patch * patch * 3]) as tf.Tensor2D,
          tf.slice(g, [0, per], [B, profileSize(S)]) as tf.Tensor2D,
        ];
      });
    }
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
      patches,
      profiles,
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
    b.profiles,
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
