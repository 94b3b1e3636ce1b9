/**
 * The BatchMatMul gradient with broadcasting fixed, for every backend.
 *
 * Why: tfjs 4.22's gradient returns dA, dB with the *broadcast* batch shape, so
 * `matMul([B,T,D], [D,E])` — a dense layer on a sequence — fails in backprop with
 * "The gradient of input 'b' has shape 'B,D,E', which does not match the shape of the input"
 * (an open tfjs bug; issue 8). This is the same gradient, summed over the broadcast batch
 * axes and reshaped back to each input's shape; without broadcasting it is unchanged.
 * (tf.fused.matMul with a linear activation has its own gradient inside the op and still
 * needs equal batch sizes; reshape to 2-D there.)
 */
import * as tf from '@tensorflow/tfjs';
import { BatchMatMul, backend_util, getGradient, registerGradient } from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs';

function reduceTo(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (grad.shape.join() === shape.join()) return grad;
  // Batch dims only: the last two are the matrix and always match.
  const axes = backend_util.getReductionAxes(shape.slice(0, -2), grad.shape.slice(0, -2));
  const summed = axes.length ? tf.sum(grad, axes, true) : grad;
  return tf.reshape(summed, shape);
}

export const batchMatMulGradConfig: GradConfig = {
  kernelName: BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const [a, b] = saved;
    const d = dy as tf.Tensor;
    const tA = attrs.transposeA === true;
    const tB = attrs.transposeB === true;
    const mm = (x: tf.Tensor, y: tf.Tensor, p: boolean, q: boolean) => tf.matMul(x, y, p, q);
    const [da, db] = !tA && !tB
      ? [() => mm(d, b, false, true), () => mm(a, d, true, false)]
      : !tA && tB
        ? [() => mm(d, b, false, false), () => mm(d, a, true, false)]
        : tA && !tB
          ? [() => mm(b, d, false, true), () => mm(a, d, false, false)]
          : [() => mm(b, d, true, true), () => mm(d, a, true, true)];
    return { a: () => reduceTo(da(), a.shape), b: () => reduceTo(db(), b.shape) };
  },
};

let installed = false;

/** Replaces tfjs's BatchMatMul gradient (global, all backends). Idempotent. */
export function installGradientFixes(): void {
  if (installed && getGradient(BatchMatMul) === batchMatMulGradConfig) return;
  registerGradient(batchMatMulGradConfig);
  installed = true;
}
