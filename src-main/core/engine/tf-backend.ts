import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';

/**
 * The one place the trainer starts a tfjs backend. It delegates to the backend module's
 * initBackend (best present backend, fast kernels) once that is available; until then it
 * starts wasm or cpu itself.
 */
export type BackendRequest = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

export async function startBackend(prefer: BackendRequest = 'auto', log?: (m: string) => void): Promise<string> {
  if (prefer === 'tfjs-node-gpu' || prefer === 'tfjs-node') {
    throw new UserError(`backend ${prefer} is not supported by this build yet; use wasm or cpu`);
  }
  const want = prefer === 'auto' ? 'wasm' : prefer;
  if (want === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { createRequire } = await import('node:module');
    const { dirname, sep } = await import('node:path');
    wasm.setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + sep);
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return 'wasm';
    }
    if (prefer === 'wasm') throw new UserError('the wasm backend did not start; reinstall @tensorflow/tfjs-backend-wasm');
    log?.('the wasm backend did not start; falling back to cpu');
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}
