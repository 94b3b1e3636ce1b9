import type { Db } from '../store/db';
import { appendDomainWeights, saveInstanceSnapshot, saveRunInstances, truncateRunAfter } from '../store/runs-store';
import { learnsWeights, type TrainConfig } from './config';
import type { Engine } from './engine';
import { prefetch } from './reads';
import { readRunCheckpoint, type RunCheckpoint } from './run-checkpoint';
import type { TrainingData } from './training-data';

/** What a run trains with, set up by trainRun. */
export interface RunSetup {
  db: Db;
  runId: number;
  config: TrainConfig;
  backend: string;
  data: TrainingData;
  engine: Engine;
}

/** The loop's own state, which a checkpoint keeps beside the engine's. */
export type LoopState = Omit<RunCheckpoint, 'engine'>;

export function domainRecord(names: string[], w: number[]): Record<string, number> {
  return Object.fromEntries(names.map((d, i) => [d, w[i]]));
}

/** Values read between steps are fetched asynchronously first (webgpu has no synchronous read). */
export function weightsReady(run: RunSetup): Promise<void> {
  return prefetch(run.engine.upper.weighting.stateTensors());
}

/** Records the weights as of `step`: per domain for methods that learn weights, per instance for instance methods. */
export function recordWeights(run: RunSetup, step: number): void {
  const { db, runId, config } = run;
  const weighting = run.engine.upper.weighting;
  const instanceMethod = config.method === 'instance-table' || config.method === 'instance-net';
  if (learnsWeights(config.method)) appendDomainWeights(db, runId, step, domainRecord(run.data.spec.domains, weighting.domainWeights()));
  if (instanceMethod) saveInstanceSnapshot(db, runId, step, weighting.instanceWeights()!);
}

/**
 * Loads the run's newest checkpoint into the engine and drops what was logged after it; with
 * no checkpoint, clears the run's logs and writes its step-0 records. Returns the loop's state.
 */
export async function resumeOrBegin(run: RunSetup, log?: (m: string) => void): Promise<LoopState> {
  const { db, runId, data } = run;
  const ck = readRunCheckpoint(db, runId);
  if (ck) {
    run.engine.setState(ck.state.engine);
    truncateRunAfter(db, runId, ck.step);
    log?.(`run ${runId}: resuming from the checkpoint at step ${ck.step}`);
    return { seconds: ck.state.seconds, recentTrain: ck.state.recentTrain, recentMeta: ck.state.recentMeta };
  }
  truncateRunAfter(db, runId, -1);
  await weightsReady(run);
  db.transaction(() => {
    saveRunInstances(db, runId, data.train.cotIds, data.train.domain, data.spec.domains);
    recordWeights(run, 0);
  })();
  return { seconds: 0, recentTrain: [], recentMeta: [] };
}
