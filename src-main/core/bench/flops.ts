import * as tf from '@tensorflow/tfjs';

/**
 * Useful FLOPs of a computation, counted from the matrix products tfjs actually ran: for an
 * output of B×M×N reached through an inner size K, 2·B·M·N·K. Element-wise work is left out,
 * as is usual for GFLOP/s figures. The shapes come from tf.profile, so the count follows the
 * model as it is, not a formula that could drift from it.
 */
export async function matmulFlops(run: () => tf.TensorContainer): Promise<number> {
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
