import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from './config';
import { selectCaR, selectS1 } from './data-selection';
import { disposeBatch, gatherBatch } from './batch';
import { Engine, UpperProblem } from './engine';
import { LowerProblem } from './lower';
import { createPrm } from './prm';
import { Rng } from './rng';
import { EpochSampler, SubsetSampler, type BatchSampler } from './sampler';
import type { TrainingData } from './training-data';
import { createWeighting } from './upper';

/**
 * Wires a run's two problems and its engine from the data and the config. Independent seeded
 * streams for init, training batches, meta batches, the upper level and data selection keep
 * each one's sequence fixed whatever the others do.
 */
export function buildEngine(data: TrainingData, config: TrainConfig, initParams?: Record<string, Float32Array>): Engine {
  const master = new Rng(config.seed);
  const initRng = master.fork();
  const trainRng = master.fork();
  const metaRng = master.fork();
  const upperRng = master.fork();
  const selectRng = master.fork();
  const prm = createPrm(data.prmSpec);
  const lower = new LowerProblem(prm, initRng, config.lower.loss, config.lower.weightDecay, config.lower.clip, initParams);
  const weighting = createWeighting({
    config,
    domainCount: data.spec.domains.length,
    instanceDomains: data.train.domain,
    rng: upperRng,
  });
  const upper = new UpperProblem(weighting, config, data.tensors, new EpochSampler(data.meta.n, config.metaBatchSize, metaRng));
  return new Engine(config, lower, upper, data.tensors, trainSampler(data, config, lower, trainRng, selectRng));
}

/** All training instances, or for the selection baselines the ones their heuristic keeps. */
function trainSampler(data: TrainingData, config: TrainConfig, lower: LowerProblem, rng: Rng, selectRng: Rng): BatchSampler {
  switch (config.method) {
    case 's1':
      return new SubsetSampler(selectS1(data.train, config.selection, selectRng), config.batchSize, rng);
    case 'car':
      return new SubsetSampler(selectCaR(data.train, instanceLosses(data, lower), config.selection, selectRng), config.batchSize, rng);
    default:
      return new EpochSampler(data.train.n, config.batchSize, rng);
  }
}

/** ℓ_i of every training instance under the PRM's current (starting) parameters. */
function instanceLosses(data: TrainingData, lower: LowerProblem): Float32Array {
  const n = data.train.n;
  const out = new Float32Array(n);
  const chunk = 256;
  for (let start = 0; start < n; start += chunk) {
    const index = Int32Array.from({ length: Math.min(chunk, n - start) }, (_, i) => start + i);
    const batch = gatherBatch(data.tensors.train, data.tensors.images, index, data.tensors.patch);
    try {
      const l = lower.losses(lower.vars, batch);
      out.set(l.dataSync(), start);
      tf.dispose(l);
    } finally {
      disposeBatch(batch);
    }
  }
  return out;
}

export function disposeEngine(e: Engine): void {
  e.lower.dispose();
  e.upper.weighting.dispose();
}
