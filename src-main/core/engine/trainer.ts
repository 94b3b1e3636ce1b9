import type { Db } from '../store/db';
import { UserError, errorMessage } from '../errors';
import { claimRun, finishRun, getModelSpec, getRun, setModelSpec } from '../store/runs-store';
import { buildEngine, disposeEngine } from './build';
import { coldStartParams, coldStartSpec } from './cold-start';
import { parseTrainConfig } from './config';
import type { Engine } from './engine';
import { runLoop } from './run-loop';
import { startBackend } from './tf-backend';
import { SimulatedCrash, type RunOutcome, type TrainHooks } from './trainer-types';
import { disposeTrainingData, loadTrainingData, type ModelSpecJson, type TrainingData } from './training-data';

/**
 * Trains a run that exists in the store (created by createRun), from its last checkpoint if it
 * has one. Writes metrics, weights, snapshots and checkpoints as it goes and leaves the run
 * completed, cancelled or failed. Throws only for problems before training starts.
 */
export async function trainRun(db: Db, runId: number, hooks: TrainHooks = {}): Promise<RunOutcome> {
  const log = hooks.log ?? (() => {});
  const row = getRun(db, runId);
  let backend = row.backend;
  let data: TrainingData | undefined;
  let engine: Engine | undefined;
  // Everything after this point ends the run as failed, never leaves it 'running'.
  try {
    const config = parseTrainConfig(row.config, `run ${runId} config`);
    // Training reads asynchronously (reads.ts) except CaR's selection pass, which runs once, synchronously.
    const b = await startBackend(hooks.backend ?? 'auto', { log, model: config.model, syncReads: config.method === 'car' });
    backend = b.name;
    claimRun(db, runId, backend, { device: b.device, parityMaxAbsDiff: b.parityMaxAbsDiff, fallback: b.fallback });
    const existingSpec = getModelSpec<ModelSpecJson>(db, runId) ?? coldStartSpec(db, config);
    data = await loadTrainingData(db, config, { dbKey: hooks.dbKey ?? 'db', existingSpec, log });
    if (!existingSpec || !getModelSpec(db, runId)) setModelSpec(db, runId, data.spec);
    engine = buildEngine(data, config, coldStartParams(db, config));
    const outcome = await runLoop({ db, runId, config, backend, data, engine }, hooks);
    return { ...outcome, device: b.device, fallback: b.fallback };
  } catch (e) {
    if (e instanceof SimulatedCrash) throw e;
    const message = errorMessage(e);
    finishRun(db, runId, 'failed', { error: message });
    if (!(e instanceof UserError)) log(`run ${runId} failed: ${(e as Error).stack ?? message}`);
    const after = getRun(db, runId);
    return {
      runId,
      method: row.method,
      status: 'failed',
      backend,
      steps: after.step,
      seconds: after.seconds,
      trainLoss: null,
      metaLoss: null,
      domainWeights: {},
      error: message,
    };
  } finally {
    if (engine) disposeEngine(engine);
    if (data) disposeTrainingData(data);
  }
}
