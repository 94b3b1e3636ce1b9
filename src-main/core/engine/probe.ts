import { UserError } from '../errors';
import type { Db } from '../store/db';
import { getModelSpec, getRun } from '../store/runs-store';
import { parseTrainConfig } from './config';
import { disposeBatch, gatherBatch } from './batch';
import { dartsHypergradient, type MetaSpec } from './hypergradient';
import { LowerProblem } from './lower';
import { createPrm } from './prm';
import { Rng } from './rng';
import { EpochSampler } from './sampler';
import { startBackend, type BackendRequest } from './tf-backend';
import { checkpointParams } from './run-checkpoint';
import { disposeTrainingData, loadTrainingData, type ModelSpecJson, type TrainingData } from './training-data';

/** What the upper level would do to one domain at a fixed PRM, averaged over many batches. */
export interface DomainProbe {
  domain: string;
  /** −mean hypergradient per instance (×|B|): positive = training on it lowers the meta loss */
  helpfulness: number;
  /** standard error of that mean over the probed instances */
  stderr: number;
  instances: number;
}

export interface ProbeOptions {
  /** training batches probed (each one darts hypergradient) */
  batches: number;
  batchSize: number;
  /** meta CoTs per meta gradient; the whole meta pool when larger */
  metaBatchSize: number;
  seed: number;
  radius?: number;
}

/**
 * Why does a domain get the weight it gets? At the PRM in `lower` (not updated), sample
 * training batches and compute each instance's darts hypergradient against one fixed meta
 * batch, then average per domain. A domain with positive helpfulness is one the upper level
 * raises; one with a mean within a couple of standard errors of 0 is one it cannot tell.
 */
export function probeDomains(lower: LowerProblem, data: TrainingData, spec: MetaSpec, opts: ProbeOptions): DomainProbe[] {
  const domains = data.spec.domains;
  const sum = new Float64Array(domains.length);
  const sq = new Float64Array(domains.length);
  const count = new Float64Array(domains.length);
  const rng = new Rng(opts.seed);
  const metaSampler = new EpochSampler(data.meta.n, opts.metaBatchSize, rng.fork());
  const sampler = new EpochSampler(data.train.n, opts.batchSize, rng.fork());
  const { tensors } = data;
  const meta = gatherBatch(tensors.meta, tensors.images, metaSampler.next(), tensors.patch);
  try {
    for (let k = 0; k < opts.batches; k++) {
      const idx = sampler.next();
      const batch = gatherBatch(tensors.train, tensors.images, idx, tensors.patch);
      try {
        const { h } = dartsHypergradient(lower, batch, meta, spec, opts.radius ?? 0.01);
        idx.forEach((i, j) => {
          const d = data.train.domain[i];
          const x = -h[j] * batch.B; // per-instance scale, independent of the batch size
          sum[d] += x;
          sq[d] += x * x;
          count[d] += 1;
        });
      } finally {
        disposeBatch(batch);
      }
    }
  } finally {
    disposeBatch(meta);
  }
  return domains.map((domain, d) => {
    const n = count[d];
    const mean = n ? sum[d] / n : 0;
    const variance = n > 1 ? Math.max(0, (sq[d] - n * mean * mean) / (n - 1)) : 0;
    return { domain, helpfulness: mean, stderr: n ? Math.sqrt(variance / n) : 0, instances: n };
  });
}

export interface RunProbe {
  runId: number;
  backend: string;
  spec: MetaSpec;
  batches: number;
  domains: DomainProbe[];
}

/**
 * probeDomains at a stored run's last checkpoint, with that run's model and vocabulary and
 * the meta loss of `spec` (default: the run's own). Loads the data as training does.
 */
export async function probeRun(
  db: Db,
  runId: number,
  opts: { batches?: number; metaBatchSize?: number; spec?: Partial<MetaSpec>; backend?: BackendRequest; dbKey?: string; log?: (m: string) => void } = {},
): Promise<RunProbe> {
  const run = getRun(db, runId);
  const params = checkpointParams(db, runId);
  const modelSpec = getModelSpec<ModelSpecJson>(db, runId);
  if (!params || !modelSpec) throw new UserError(`run ${runId} has no checkpoint yet; wait for its first checkpoint (checkpointEvery steps) or probe another run`);
  const config = parseTrainConfig(run.config, `run ${runId} config`);
  const spec: MetaSpec = {
    agg: opts.spec?.agg ?? config.upper.aggregation,
    target: opts.spec?.target ?? config.upper.target,
    shiftInvariant: opts.spec?.shiftInvariant ?? config.upper.shiftInvariant,
  };
  const batches = opts.batches ?? 40;
  const backend = (await startBackend(opts.backend ?? 'auto', { log: opts.log, model: config.model })).name;
  const data = await loadTrainingData(db, config, { dbKey: opts.dbKey ?? 'db', existingSpec: modelSpec, log: opts.log });
  let lower: LowerProblem | undefined;
  try {
    lower = new LowerProblem(createPrm(data.prmSpec), new Rng(config.seed), config.lower.loss, config.lower.weightDecay, config.lower.clip, params);
    const domains = probeDomains(lower, data, spec, {
      batches,
      batchSize: config.batchSize,
      metaBatchSize: opts.metaBatchSize ?? 400,
      seed: config.seed,
    });
    return { runId, backend, spec, batches, domains };
  } finally {
    lower?.dispose();
    disposeTrainingData(data);
  }
}
