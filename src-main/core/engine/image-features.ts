import * as tf from '@tensorflow/tfjs';
import type { ImageTable } from './image-table';

/**
 * What the PRM's image reader starts from, computed once per image when a run loads its data:
 * the image cut into non-overlapping P×P patches (as "ink", 1 - intensity, so the white
 * background is 0 and features come from what is drawn), and per patch a colour histogram.
 */

/**
 * Colour bins: the eight corners of the RGB cube (each channel below or above one half);
 * the white corner is left out, as background. Learned patch detectors have to discover
 * "red" before anything can be read by colour, which on the built-in sample took the reader
 * 3,000 steps instead of under 1,000 (`dreamprm probe`-style measurement in the README); a
 * fixed, generic histogram gives every patch its colours from the first step, and the learned
 * detectors add shape on top.
 */
export const COLOUR_BINS = 7;

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

/** Per patch, the share of its pixels in each colour bin: [patches * COLOUR_BINS]. */
export function colourHistograms(patchPixels: Float32Array, patch: number): Float32Array {
  const pixelsPerPatch = patch * patch;
  const patches = patchPixels.length / (pixelsPerPatch * 3);
  const out = new Float32Array(patches * COLOUR_BINS);
  for (let p = 0; p < patches; p++) {
    for (let q = 0; q < pixelsPerPatch; q++) {
      const i = (p * pixelsPerPatch + q) * 3;
      const bin = (patchPixels[i] >= 0.5 ? 4 : 0) + (patchPixels[i + 1] >= 0.5 ? 2 : 0) + (patchPixels[i + 2] >= 0.5 ? 1 : 0);
      if (bin < COLOUR_BINS) out[p * COLOUR_BINS + bin] += 1 / pixelsPerPatch;
    }
  }
  return out;
}

/** Images on the device, one row per image (row 0, no image, all zero). */
export interface ImageTensors {
  /** [n, Np * (P/2)^2 * 3] each patch's ink at half resolution (2×2 pixel means) */
  detail: tf.Tensor2D;
  /** [n, Np * COLOUR_BINS] each patch's colour histogram */
  colours: tf.Tensor2D;
}

/**
 * The reader's learned detectors see each patch at half resolution: colour is the histogram's
 * job, and a 4×4 view still tells a disc from a square or a stroke from a block, at a quarter
 * of the cost of the full patch (measured: the patch layer and its gradient were a fifth of a
 * training step at full resolution).
 */
export const detailSize = (patch: number) => Math.max(1, Math.floor(patch / 2));

export function uploadImages(img: ImageTable, patch: number): ImageTensors {
  const np = (img.size / patch) ** 2;
  const per = np * patch * patch * 3;
  const d = detailSize(patch);
  const detailWidth = np * d * d * 3;
  const pixels = patchify(img, patch);
  const detail = new Float32Array(img.count * detailWidth);
  const colours = new Float32Array(img.count * np * COLOUR_BINS);
  for (let n = 1; n < img.count; n++) {
    const own = pixels.subarray(n * per, (n + 1) * per);
    detail.set(halfResolutionInk(own, patch), n * detailWidth);
    colours.set(colourHistograms(own, patch), n * np * COLOUR_BINS);
  }
  return {
    detail: tf.tensor2d(detail, [img.count, detailWidth]),
    colours: tf.tensor2d(colours, [img.count, np * COLOUR_BINS]),
  };
}

/** Per patch, its ink (1 - intensity) averaged over 2×2 pixel blocks: [patches * (P/2)^2 * 3]. */
function halfResolutionInk(patchPixels: Float32Array, patch: number): Float32Array {
  const d = detailSize(patch);
  const step = patch / d;
  const patches = patchPixels.length / (patch * patch * 3);
  const out = new Float32Array(patches * d * d * 3);
  const share = 1 / (step * step);
  for (let p = 0; p < patches; p++) {
    for (let y = 0; y < patch; y++) {
      for (let x = 0; x < patch; x++) {
        const src = ((p * patch + y) * patch + x) * 3;
        const dst = ((p * d + Math.floor(y / step)) * d + Math.floor(x / step)) * 3;
        for (let c = 0; c < 3; c++) out[dst + c] += (1 - patchPixels[src + c]) * share;
      }
    }
  }
  return out;
}

export function disposeImages(t: ImageTensors | null): void {
  t?.detail.dispose();
  t?.colours.dispose();
}

/** The detail [B*Np, (P/2)^2*3] and colour histograms [B*Np, COLOUR_BINS] of the given image rows. */
export function gatherImages(images: ImageTensors, rows: tf.Tensor1D, patch: number): { patches: tf.Tensor2D; colours: tf.Tensor2D } {
  return tf.tidy(() => {
    const np = images.colours.shape[1] / COLOUR_BINS;
    const B = rows.shape[0];
    const d = detailSize(patch);
    return {
      patches: tf.reshape(tf.gather(images.detail, rows), [B * np, d * d * 3]) as tf.Tensor2D,
      colours: tf.reshape(tf.gather(images.colours, rows), [B * np, COLOUR_BINS]) as tf.Tensor2D,
    };
  });
}
