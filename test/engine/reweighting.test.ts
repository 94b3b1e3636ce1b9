import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngine, disposeEngine } from '../../src-main/core/engine/build';
import { disposeTrainingData, tensorsFromRaw, type TrainingData } from '../../src-main/core/engine/training-data';
import { imageTableOf, synthCorpus } from './synthetic';
import { tinyConfig, useTestBackend } from './setup';

beforeAll(useTestBackend);

/**
 * The method end to end where the PRM can learn the truth: step vectors carry each step's
 * correctness (the features PRM), so clean labels agree with the meta pool and inverted ones
 * fight it. The corrupted domains must end up with lower weights, although their lower mean
 * label happens to match the meta pool's lower rate of correct CoTs.
 */
describe('bi-level reweighting on data of known quality', () => {
  const datas: TrainingData[] = [];
  afterAll(() => datas.forEach(disposeTrainingData));
  const corpus = synthCorpus(21, [
    { name: 'clean-a', cots: 120, corrupt: 0 },
    { name: 'clean-b', cots: 120, corrupt: 0 },
    { name: 'corrupt-a', cots: 120, corrupt: 0.5 },
    { name: 'corrupt-b', cots: 120, corrupt: 0.7 },
  ], 80);

  it.each([
    ['domain', {}],
    ['domain', { upper: { target: 'both', aggregation: 'mean' } }],
    ['instance-table', { upper: { metaLr: 0.05 } }],
    ['instance-net', { upper: { metaLr: 0.01, lo: 0, hi: 2 } }],
    ['instance-net', { upper: { metaLr: 0.01, lo: 0, hi: 2, normalizeBatch: true } }],
  ])('%s %j gives corrupted domains lower weights', (method, over) => {
    const config = tinyConfig(method, {
      steps: 150,
      batchSize: 32,
      metaBatchSize: 32,
      lower: { lr: 0.01 },
      upper: { unroll: 1, metaLr: 0.05 },
      model: { kind: 'features', hidden: 16 },
      ...over,
    });
    const data = tensorsFromRaw(corpus.train, corpus.meta, config.model, imageTableOf(corpus));
    datas.push(data);
    const engine = buildEngine(data, config);
    for (let i = 0; i < config.steps; i++) engine.runStep();
    const w = Object.fromEntries(data.spec.domains.map((d, i) => [d, engine.upper.weighting.domainWeights()[i]]));
    expect(Math.min(w['clean-a'], w['clean-b'])).toBeGreaterThan(Math.max(w['corrupt-a'], w['corrupt-b']));
    if ((over as { upper?: { normalizeBatch?: boolean } }).upper?.normalizeBatch) {
      // each batch's weights average 1, so the instances' last weights do too, near enough
      const last = engine.upper.weighting.instanceWeights()!;
      expect(last.reduce((a, x) => a + x, 0) / last.length).toBeCloseTo(1, 1);
    }
    disposeEngine(engine);
  });
});
