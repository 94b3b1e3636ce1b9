import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngine, disposeEngine } from '../../src-main/core/engine/build';
import { disposeBatch, gatherBatch } from '../../src-main/core/engine/batch';
import { dartsHypergradient, exactHypergradient } from '../../src-main/core/engine/hypergradient';
import { disposeTrainingData, tensorsFromRaw, type TrainingData } from '../../src-main/core/engine/training-data';
import { imageTableOf, synthCorpus } from './synthetic';
import { tinyConfig, useTestBackend } from './setup';

beforeAll(useTestBackend);

const corpus = synthCorpus(3, [
  { name: 'clean', cots: 40, corrupt: 0 },
  { name: 'noisy', cots: 40, corrupt: 0.5 },
], 30);

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

describe.each([
  ['features', { model: { kind: 'features' } }],
  ['compact (image)', {}],
])('darts vs exact hypergradient on a small %s PRM', (_name, over) => {
  let data: TrainingData;
  afterAll(() => disposeTrainingData(data));

  it('agree up to the lower learning rate (cosine >= 0.95)', () => {
    const config = tinyConfig('domain', { ...over, lower: { loss: 'bce' } });
    data = tensorsFromRaw(corpus.train, corpus.meta, config.model, imageTableOf(corpus));
    const engine = buildEngine(data, config);
    for (let i = 0; i < 6; i++) engine.runStep(); // away from the initialisation
    const tensorsBefore = tf.memory().numTensors;
    const batch = gatherBatch(data.tensors.train, data.tensors.images, Int32Array.from({ length: 16 }, (_, i) => i * 5), config.model.patchSize);
    const meta = gatherBatch(data.tensors.meta, data.tensors.images, Int32Array.from({ length: 16 }, (_, i) => i), config.model.patchSize);
    const spec = { agg: 'logodds' as const, target: 'label' as const };
    const eta = 1e-4; // the two agree as η → 0; at 1e-3 the image PRM's curvature already shows
    const darts = dartsHypergradient(engine.lower, batch, meta, spec, 0.01);
    const exact = exactHypergradient(engine.lower, batch, new Float32Array(16).fill(1), meta, spec, eta);
    const cos = cosine(darts.h, exact.h);
    expect(cos).toBeGreaterThanOrEqual(0.95);
    // Betty's scale (darts) omits η: exact ≈ η · darts.
    const norm = (a: Float32Array) => Math.hypot(...a);
    expect(norm(exact.h) / norm(darts.h) / eta).toBeGreaterThan(0.8);
    expect(norm(exact.h) / norm(darts.h) / eta).toBeLessThan(1.25);
    expect(darts.metaLoss).toBeCloseTo(exact.metaLoss, 5);
    disposeBatch(batch);
    disposeBatch(meta);
    // Both hypergradients leave nothing behind once their batches are disposed.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    disposeEngine(engine);
  });
});
