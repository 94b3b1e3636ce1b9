import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngine, disposeEngine } from '../../src-main/core/engine/build';
import { disposeTrainingData, tensorsFromRaw, type TrainingData } from '../../src-main/core/engine/training-data';
import { imageTableOf, synthCorpus } from './synthetic';
import { tinyConfig, useTestBackend } from './setup';

beforeAll(useTestBackend);

const corpus = synthCorpus(5, [
  { name: 'a', cots: 24, corrupt: 0 },
  { name: 'b', cots: 24, corrupt: 0.5 },
], 16);

describe('no tensor leak', () => {
  const datas: TrainingData[] = [];
  afterAll(() => datas.forEach(disposeTrainingData));

  it.each([
    ['uniform', {}],
    ['domain', { upper: { unroll: 2 } }],
    ['domain', { upper: { unroll: 1, shiftInvariant: true, target: 'rank' } }],
    ['domain', { upper: { hypergradient: 'exact', unroll: 1 } }],
    ['instance-table', {}],
    ['instance-table', { model: { readerHeads: 2, dropout: 0.2 } }],
    ['instance-net', {}],
    ['instance-net', { model: { kind: 'features' } }],
    ['domain', { model: { image: false }, upper: { target: 'both', aggregation: 'min' } }],
  ])('%s %j keeps tf.memory().numTensors flat', (method, over) => {
    const config = tinyConfig(method, { steps: 40, ...over });
    const data = tensorsFromRaw(corpus.train, corpus.meta, config.model, imageTableOf(corpus));
    datas.push(data);
    const engine = buildEngine(data, config);
    for (let i = 0; i < 4; i++) engine.runStep();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 16; i++) engine.runStep();
    expect(tf.memory().numTensors).toBe(before);
    engine.getState();
    expect(tf.memory().numTensors).toBe(before);
    disposeEngine(engine);
  });
});
