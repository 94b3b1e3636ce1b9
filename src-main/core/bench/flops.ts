import * as tf from '@tensorflow/tfjs';

/**
 * Useful FLOPs of a computation, counted from the matrix products tfjs actually ran: for an
 * output of B×M×N reached through an inner size K, 2·B·M·N·K. Element-wise work is left out,
 * as is usual for GFLOP/s figures. The shapes come from tf.profile, so the count follows the
 * model as it is, not a formula that could drift from it.
 */
export async function matmulFlops(run: () => tf.TensorContainer | Promise<tf.TensorContainer>): Promise<number> {
  const info = await tf.profile(run);
  let flops = 0;
  for (const k of info.kernels) {
    if (k.name !== 'BatchMatMul' && k.name !== '_FusedMatMul') continue;
    const a = k.inputShapes[0];
    const out = k.outputShapes[0];
    if (!a || !out) continue;
    const outSize = out.reduce((x, y) => x * y, 1);
    const rowsOut = out.length >= 2 ? out[out.length - 2] : 1;
    const aSize = a.reduce((x, y) => x * y, 1);
    const aBatch = a.length > 2 ? a.slice(0, -2).reduce((x, y) => x * y, 1) : 1;
    // A holds (batch of A) × M × K elements, whichever way it is transposed.
    const inner = aSize / (aBatch * rowsOut);
    flops += 2 * outSize * inner;
  }
  return flops;
}

export interface ProfiledMatmul {
  m: number;
  k: number;
  n: number;
  batch: number;
  transposeA: boolean;
  transposeB: boolean;
  /** FLOPs of all products of this shape in the run */
  flops: number;
}

/**
 * The distinct matrix-product shapes a computation ran, largest share of FLOPs first. The
 * transposes are read back from the operand shapes (where a square operand leaves it open,
 * untransposed is assumed).
 */
export async function matmulShapes(run: () => tf.TensorContainer | Promise<tf.TensorContainer>): Promise<ProfiledMatmul[]> {
  const info = await tf.profile(run);
  const byKey = new Map<string, ProfiledMatmul>();
  for (const k of info.kernels) {
    if (k.name !== 'BatchMatMul' && k.name !== '_FusedMatMul') continue;
    const [a, b] = k.inputShapes;
    const out = k.outputShapes[0];
    if (!a || !b || !out || a.length < 2 || b.length < 2) continue;
    const m = out[out.length - 2];
    const n = out[out.length - 1];
    const [a0, a1] = a.slice(-2);
    const [b0, b1] = b.slice(-2);
    const transposeA = a0 !== m;
    const inner = transposeA ? a0 : a1;
    const transposeB = !(b0 === inner && b1 === n);
    const batch = out.length > 2 ? out.slice(0, -2).reduce((x, y) => x * y, 1) : 1;
    const key = `${batch}:${m}:${inner}:${n}:${transposeA}:${transposeB}`;
    const entry = byKey.get(key) ?? { m, k: inner, n, batch, transposeA, transposeB, flops: 0 };
    entry.flops += 2 * batch * m * n * inner;
    byKey.set(key, entry);
  }
  return [...byKey.values()].sort((x, y) => y.flops - x.flops);
}
