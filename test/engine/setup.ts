import * as tf from '@tensorflow/tfjs';
import { startBackend } from '../../src-main/core/engine/tf-backend';
import { parseTrainConfig, type TrainConfig } from '../../src-main/core/engine/config';

/** Engine tests run on the wasm backend (the default here) unless DREAMPRM_TEST_BACKEND says otherwise. */
export async function useTestBackend(): Promise<string> {
  const b = (process.env.DREAMPRM_TEST_BACKEND ?? 'wasm') as 'wasm' | 'cpu';
  await startBackend(b);
  return tf.getBackend();
}

/** A small, fast model and schedule for tests. */
export function tinyConfig(method: string, over: Record<string, unknown> = {}): TrainConfig {
  const base = {
    method,
    steps: 20,
    batchSize: 8,
    metaBatchSize: 8,
    checkpointEvery: 5,
    snapshotEvery: 5,
    metricsEvery: 2,
    model: { embedDim: 8, patchChannels: 4, readerHeads: 1, hidden: 8, bigramBuckets: 16, vocabSize: 64 },
  };
  return parseTrainConfig(deep(base, over));
}

function deep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof a[k] === 'object' ? deep(a[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
