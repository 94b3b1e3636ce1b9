import { beforeAll, describe, expect, it } from 'vitest';
import { buildEngine, disposeEngine } from '../../src-main/core/engine/build';
import { probeDomains } from '../../src-main/core/engine/probe';
import { disposeTrainingData, tensorsFromRaw } from '../../src-main/core/engine/training-data';
import { imageTableOf, synthCorpus } from './synthetic';
import { tinyConfig, useTestBackend } from './setup';

beforeAll(useTestBackend);

describe('the hypergradient probe', () => {
  it('finds clean domains helpful and corrupted ones harmful at a uniformly trained PRM', () => {
    const corpus = synthCorpus(5, [
      { name: 'clean', cots: 120, corrupt: 0 },
      { name: 'corrupt', cots: 120, corrupt: 0.7 },
    ], 80);
    const config = tinyConfig('uniform', { steps: 120, batchSize: 32, lower: { lr: 0.01 }, model: { kind: 'features', hidden: 16 } });
    const data = tensorsFromRaw(corpus.train, corpus.meta, config.model, imageTableOf(corpus));
    const engine = buildEngine(data, config);
    try {
      for (let i = 0; i < config.steps; i++) engine.runStep();
      const probe = probeDomains(engine.lower, data, { agg: 'logodds', target: 'label' }, { batches: 12, batchSize: 32, metaBatchSize: 80, seed: 1 });
      const by = Object.fromEntries(probe.map((p) => [p.domain, p]));
      expect(by.clean.instances + by.corrupt.instances).toBe(12 * 32);
      expect(by.clean.helpfulness).toBeGreaterThan(0);
      expect(by.corrupt.helpfulness).toBeLessThan(0);
      // the difference is far outside the noise
      expect(by.clean.helpfulness - by.corrupt.helpfulness).toBeGreaterThan(3 * (by.clean.stderr + by.corrupt.stderr));
    } finally {
      disposeEngine(engine);
      disposeTrainingData(data);
    }
  });
});
