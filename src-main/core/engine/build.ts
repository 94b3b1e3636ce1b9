import type { TrainConfig } from './config';
import { Engine, UpperProblem } from './engine';
import { LowerProblem } from './lower';
import { createPrm } from './prm';
import { Rng } from './rng';
import { EpochSampler } from './sampler';
import type { TrainingData } from './training-data';
import { createWeighting } from './upper';

/**
 * Wires a run's two problems and its engine from the data and the config. Independent seeded
 * streams for init, training batches, meta batches and the upper level keep each one's
 * sequence fixed whatever the others do.
 */
export function buildEngine(data: TrainingData, config: TrainConfig, initParams?: Record<string, Float32Array>): Engine {
  const master = new Rng(config.seed);
  const initRng = master.fork();
  const trainRng = master.fork();
  const metaRng = master.fork();
  const upperRng = master.fork();
  const prm = createPrm(data.prmSpec);
  const lower = new LowerProblem(prm, initRng, config.lower.loss, config.lower.weightDecay, config.lower.clip, initParams);
  const weighting = createWeighting({
    config,
    domainCount: data.spec.domains.length,
    instanceDomains: data.train.domain,
    rng: upperRng,
  });
  const upper = new UpperProblem(weighting, config, data.tensors, new EpochSampler(data.meta.n, config.metaBatchSize, metaRng));
  return new Engine(config, lower, upper, data.tensors, new EpochSampler(data.train.n, config.batchSize, trainRng));
}

export function disposeEngine(e: Engine): void {
  e.lower.dispose();
  e.upper.weighting.dispose();
}
