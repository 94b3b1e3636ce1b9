/**
 * Batched 2-D transpose, [batch, rows, cols] → [batch, cols, rows], on plain typed arrays
 * (wasm heap views or cpu tensor values), and its generalisation to blocks of `inner`
 * elements ([outer, R, C, inner] → [outer, C, R, inner]) used by the Transpose kernel.
 *
 * Why: the matMul kernels turn every transposed operand into a plain one before calling
 * XNNPACK, so this runs on every backward pass. The stock wasm Transpose walks the output
 * with a stride of `rows` floats per element; with power-of-two row counts (4096×64) that
 * thrashes the cache. Reading four source rows at a time and writing four adjacent output
 * floats per column, in column blocks that stay in L1, measured here (median of 35):
 * [2304,192] 0.53 ms vs stock 1.57 ms; [4096,64] 0.35 vs 2.09; [2304,64] 0.14 vs 0.57;
 * [192,2304] 0.41 vs 0.30 (the one shape where the stock loop is a little faster).
 */

const COL_BLOCK = 128;

type Floats = Float32Array | Int32Array;

export function transposeBatched(
  src: Floats,
  dst: Floats,
  batch: number,
  rows: number,
  cols: number,
): void {
  const size = rows * cols;
  for (let b = 0; b < batch; b++) transpose2d(src, b * size, dst, b * size, rows, cols);
}

/** dst[dOff + j*rows + i] = src[sOff + i*cols + j] */
export function transpose2d(
  src: Floats,
  sOff: number,
  dst: Floats,
  dOff: number,
  rows: number,
  cols: number,
): void {
  if (rows === 1 || cols === 1) {
    dst.set(src.subarray(sOff, sOff + rows * cols), dOff);
    return;
  }
  const rows4 = rows - (rows % 4);
  const c2 = 2 * cols;
  const c3 = 3 * cols;
  for (let j0 = 0; j0 < cols; j0 += COL_BLOCK) {
    const j1 = Math.min(j0 + COL_BLOCK, cols);
    for (let i = 0; i < rows4; i += 4) {
      let s = sOff + i * cols + j0;
      let d = dOff + j0 * rows + i;
      for (let j = j0; j < j1; j++) {
        dst[d] = src[s];
        dst[d + 1] = src[s + cols];
        dst[d + 2] = src[s + c2];
        dst[d + 3] = src[s + c3];
        s++;
        d += rows;
      }
    }
    for (let i = rows4; i < rows; i++) {
      let s = sOff + i * cols + j0;
      let d = dOff + j0 * rows + i;
      for (let j = j0; j < j1; j++) {
        dst[d] = src[s++];
        d += rows;
      }
    }
  }
}

/** [outer, R, C, inner] → [outer, C, R, inner]; offsets in elements. */
export function transposeBlocks(
  src: Floats,
  sOff: number,
  dst: Floats,
  dOff: number,
  outer: number,
  R: number,
  C: number,
  inner: number,
): void {
  const plane = R * C * inner;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) transpose2d(src, sOff + o * plane, dst, dOff + o * plane, R, C);
    return;
  }
  for (let o = 0; o < outer; o++) {
    const so = sOff + o * plane;
    let d = dOff + o * plane;
    for (let j = 0; j < C; j++) {
      for (let i = 0; i < R; i++) {
        let s = so + (i * C + j) * inner;
        const end = s + inner;
        while (s < end) dst[d++] = src[s++];
      }
    }
  }
}
