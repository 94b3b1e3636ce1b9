import * as tf from '@tensorflow/tfjs';

/**
 * Reading values back from the device, synchronously or not, with one copy of the code.
 *
 * The training step needs a few values on the host in its middle (the gradient norm for
 * clipping, the darts radius, the hypergradient). tfjs's cpu and wasm backends read
 * synchronously (dataSync); tfjs-backend-webgpu cannot in Node (it reads through an
 * OffscreenCanvas). So the step is written as a generator that yields each tensor it needs and
 * receives its values: `runSync` drives it with dataSync (tests, sync callers), `runAsync` with
 * `await data()` (the trainer, on every backend).
 */
export type Reads<R> = Generator<tf.Tensor, R, Float32Array>;

export function runSync<R>(g: Reads<R>): R {
  let r = g.next();
  while (!r.done) r = g.next(r.value.dataSync() as Float32Array);
  return r.value;
}

export async function runAsync<R>(g: Reads<R>): Promise<R> {
  let r = g.next();
  while (!r.done) {
    let values: Float32Array;
    try {
      values = (await r.value.data()) as Float32Array;
    } catch (e) {
      r = g.throw(e); // runs the generator's finally blocks (disposals)
      continue;
    }
    r = g.next(values);
  }
  return r.value;
}

/**
 * Brings tensors' values to the host asynchronously; every backend keeps them cached there, so
 * later dataSync calls on the same tensors (checkpoints, reported weights) need no GPU read.
 */
export async function prefetch(tensors: readonly tf.Tensor[]): Promise<void> {
  await Promise.all(tensors.map((t) => t.data()));
}
