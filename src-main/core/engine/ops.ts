import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';

/**
 * x·W for 2-D operands whose gradients use explicit transposes followed by plain matMuls.
 * On the wasm backend a transposed matMul runs 5-8x slower than transpose + matMul (measured
 * 3 vs 15-40 GFLOP/s on this machine), and gradients are where the transposed forms appear.
 * The gradient is built from differentiable ops, so nested differentiation (the exact
 * hypergradient) still works.
 */
/** tf.customGrad's callback type, which its typings spell as a variadic union. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GradFn = (...args: any[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };
export const customGrad = (f: GradFn) => tf.customGrad(f as Parameters<typeof tf.customGrad>[0]);

export const linear = customGrad((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy as tf.Tensor2D)];
    },
  };
}) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * x·W where x is data (never differentiated): skips the unused input gradient, which for a
 * bag-of-words or patch matrix is the larger of the two matMuls.
 */
export const linearOnData = customGrad((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx] = saved as tf.Tensor2D[];
      return [tf.zerosLike(sx), tf.matMul(tf.transpose(sx), dy as tf.Tensor2D)];
    },
  };
}) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * Batched a·b for [B, m, k]·[B, k, n], with the gradient written as transposes followed by
 * plain batched matMuls: the transposed batched matMuls tfjs would use ran several times
 * slower on wasm than the whole forward pass of the image reader.
 */
export const batchedMatMul = customGrad((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor3D[];
      const d = dy as tf.Tensor3D;
      return [tf.matMul(d, tf.transpose(sb, [0, 2, 1])), tf.matMul(tf.transpose(sa, [0, 2, 1]), d)];
    },
  };
}) as unknown as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;

/** x·W + b on 2-D x */
export function dense(x: tf.Tensor2D, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  const y = linear(x, w as tf.Tensor2D);
  return b ? tf.add(y, b) : y;
}

/** Glorot-uniform weights drawn from the run's generator (so init is seeded and resumable). */
export function glorot(rng: Rng, fanIn: number, fanOut: number, shape: number[] = [fanIn, fanOut]): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * limit;
  return a;
}

export function normalInit(rng: Rng, n: number, std: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * std;
  return a;
}

export type Params = Record<string, tf.Tensor>;
export type ParamShapes = Record<string, number[]>;

/** Sum of squares of every tensor, as a scalar tensor. */
export function globalNormSq(ts: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(ts.map((t) => tf.sum(tf.square(t)))) as tf.Scalar);
}
