import type { RunProgress } from '../../../src-shared/runs';
import type { Db } from '../store/db';
import { UserError, errorMessage } from '../errors';
import {
  appendDomainWeights,
  appendMetrics,
  claimRun,
  finishRun,
  getModelSpec,
  getRun,
  heartbeat,
  latestCheckpoint,
  saveCheckpoint,
  saveInstanceSnapshot,
  saveRunInstances,
  setModelSpec,
  truncateRunAfter,
  type MetricPoint as MetricRow,
  type RunStatus,
} from '../store/runs-store';
import { buildEngine, disposeEngine } from './build';
import { packState, unpackState } from './checkpoint';
import { learnsWeights, parseTrainConfig, type ModelConfig, type TrainConfig } from './config';
import type { Engine, EngineState, StepReport } from './engine';
import { prefetch } from './reads';
import { startBackend, type BackendRequest } from './tf-backend';
import { disposeTrainingData, loadTrainingData, storedModelConfig, type ModelSpecJson, type TrainingData } from './training-data';

export interface RunOutcome {
  runId: number;
  method: string;
  status: Exclude<RunStatus, 'running' | 'interrupted'>;
  backend: string;
  /** what computed (GPU name, WebGPU adapter, CPU), and why not the backend asked for */
  device?: string;
  fallback?: string | null;
  steps: number;
  seconds: number;
  trainLoss: number | null;
  metaLoss: number | null;
  domainWeights: Record<string, number>;
  error: string | null;
}

export interface TrainHooks {
  onProgress?: (p: RunProgress) => void;
  /** polled every step: an in-process cancel (the database flag is polled too) */
  shouldCancel?: () => boolean;
  log?: (m: string) => void;
  /** a key identifying the database, for the decoded-image cache */
  dbKey?: string;
  backend?: BackendRequest;
  /** tests: throw right after the checkpoint of this step is written (a simulated crash) */
  crashAfterCheckpoint?: number;
  /** tests: replace the train loss at this step with NaN */
  injectNaNAt?: number;
}

/** Checkpoint contents beyond the engine's state. */
interface RunCheckpoint {
  engine: EngineState;
  seconds: number;
  recentTrain: number[];
  recentMeta: number[];
}

const RECENT = 20;
const FLUSH_MS = 1000;
const PROGRESS_MS = 100;

export class SimulatedCrash extends Error {}

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
    const outcome = await runLoop(db, runId, config, backend, data, engine, hooks);
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

function coldStartSource(db: Db, config: TrainConfig): number | null {
  const from = config.coldStart.fromRun;
  if (from === null) return null;
  const src = getRun(db, from);
  if (src.status !== 'completed') {
    throw new UserError(`coldStart.fromRun: run ${from} is ${src.status}; cold start needs a completed uniform run`);
  }
  if (src.method !== 'uniform') {
    throw new UserError(`coldStart.fromRun: run ${from} is a ${src.method} run; cold start needs a completed uniform run`);
  }
  return from;
}

/** A cold start reuses the uniform run's model: same architecture, same vocabulary. */
function coldStartSpec(db: Db, config: TrainConfig): ModelSpecJson | null {
  const from = coldStartSource(db, config);
  if (from === null) return null;
  const spec = getModelSpec<ModelSpecJson>(db, from);
  if (!spec) throw new UserError(`coldStart.fromRun: run ${from} has no stored model`);
  // Compare architectures (stored settings re-read with today's defaults; dropout is a
  // training setting, free to differ).
  const stored = storedModelConfig(spec.model, from);
  const arch = (m: ModelConfig) => {
    const { dropout: _dropout, ...rest } = m;
    return JSON.stringify(rest);
  };
  if (arch(stored) !== arch(config.model)) {
    throw new UserError(
      `coldStart.fromRun: run ${from} trained a different model (its "model" settings differ from this config's); ` +
        'use the same model settings or another run',
    );
  }
  return { ...spec, model: { ...stored, dropout: config.model.dropout } };
}

function coldStartParams(db: Db, config: TrainConfig): Record<string, Float32Array> | undefined {
  const from = coldStartSource(db, config);
  if (from === null) return undefined;
  const params = checkpointParams(db, from);
  if (!params) throw new UserError(`coldStart.fromRun: run ${from} has no checkpoint to start from`);
  return params;
}

/** The PRM weights of a run's newest checkpoint, or null before its first one. */
export function checkpointParams(db: Db, runId: number): Record<string, Float32Array> | null {
  const ck = latestCheckpoint(db, runId);
  return ck ? unpackState<RunCheckpoint>(ck.state).engine.lower.params : null;
}

function domainRecord(names: string[], w: number[]): Record<string, number> {
  return Object.fromEntries(names.map((d, i) => [d, w[i]]));
}

const meanOf = (a: number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : null);

async function runLoop(
  db: Db,
  runId: number,
  config: TrainConfig,
  backend: string,
  data: TrainingData,
  engine: Engine,
  hooks: TrainHooks,
): Promise<RunOutcome> {
  const domains = data.spec.domains;
  const weighting = engine.upper.weighting;
  const instanceMethod = config.method === 'instance-table' || config.method === 'instance-net';
  let seconds = 0;
  let recentTrain: number[] = [];
  let recentMeta: number[] = [];

  // Values read between steps are fetched asynchronously first (webgpu has no synchronous read).
  const weightsReady = () => prefetch(weighting.stateTensors());
  const ck = latestCheckpoint(db, runId);
  if (ck) {
    const state = unpackState<RunCheckpoint>(ck.state);
    engine.setState(state.engine);
    seconds = state.seconds;
    recentTrain = state.recentTrain;
    recentMeta = state.recentMeta;
    truncateRunAfter(db, runId, ck.step);
    hooks.log?.(`run ${runId}: resuming from the checkpoint at step ${ck.step}`);
  } else {
    truncateRunAfter(db, runId, -1);
    await weightsReady();
    db.transaction(() => {
      saveRunInstances(db, runId, data.train.cotIds, data.train.domain, domains);
      if (learnsWeights(config.method)) appendDomainWeights(db, runId, 0, domainRecord(domains, weighting.domainWeights()));
      if (instanceMethod) saveInstanceSnapshot(db, runId, 0, weighting.instanceWeights()!);
    })();
  }

  const pending: MetricRow[] = [];
  let interval: StepReport[] = [];
  let intervalStart = performance.now();
  const startedAt = performance.now();
  const secondsAtStart = seconds;
  let lastFlush = performance.now();
  let lastProgress = 0;
  let rate: number | null = null;
  let lastMeta: number | null = recentMeta.length ? recentMeta[recentMeta.length - 1] : null;
  const stepsAtStart = engine.step;

  const elapsed = () => secondsAtStart + (performance.now() - startedAt) / 1000;
  const checkpoint = () => {
    const state: RunCheckpoint = { engine: engine.getState(), seconds: elapsed(), recentTrain, recentMeta };
    saveCheckpoint(db, runId, engine.step, packState(state));
  };
  const recordWeights = (step: number) => {
    if (learnsWeights(config.method)) appendDomainWeights(db, runId, step, domainRecord(domains, weighting.domainWeights()));
    if (instanceMethod) saveInstanceSnapshot(db, runId, step, weighting.instanceWeights()!);
  };
  const flush = (extra?: () => void): boolean => {
    let cancel = false;
    db.transaction(() => {
      appendMetrics(db, runId, pending.splice(0));
      extra?.();
      cancel = heartbeat(db, runId, {
        step: engine.step,
        seconds: elapsed(),
        trainLoss: meanOf(recentTrain),
        metaLoss: meanOf(recentMeta),
      });
    })();
    lastFlush = performance.now();
    return cancel;
  };
  const progress = (force: boolean) => {
    const t = performance.now();
    if (!hooks.onProgress || (!force && t - lastProgress < PROGRESS_MS)) return;
    lastProgress = t;
    const done = engine.step - stepsAtStart;
    rate = done > 0 ? done / ((t - startedAt) / 1000) : null;
    hooks.onProgress({
      runId,
      step: engine.step,
      totalSteps: config.steps,
      trainLoss: meanOf(recentTrain),
      weightedLoss: interval.length ? interval[interval.length - 1].weightedLoss : null,
      metaLoss: lastMeta,
      domainWeights: domainRecord(domains, weighting.domainWeights()),
      stepsPerSecond: rate,
      etaSeconds: rate ? (config.steps - engine.step) / rate : null,
    });
  };
  const outcome = (status: RunOutcome['status'], error: string | null): RunOutcome => ({
    runId,
    method: config.method,
    status,
    backend,
    steps: engine.step,
    seconds: elapsed(),
    trainLoss: meanOf(recentTrain),
    metaLoss: meanOf(recentMeta),
    domainWeights: domainRecord(domains, weighting.domainWeights()),
    error,
  });
  const summary = (o: RunOutcome) => ({
    steps: o.steps,
    seconds: o.seconds,
    trainLoss: o.trainLoss,
    metaLoss: o.metaLoss,
    domainWeights: o.domainWeights,
    backend,
  });

  while (engine.step < config.steps) {
    const r = await engine.runStepAsync();
    if (hooks.injectNaNAt === r.step) r.trainLoss = NaN;
    const bad = [r.trainLoss, r.weightedLoss, r.metaLoss ?? 0].some((x) => !Number.isFinite(x));
    if (bad) {
      const last = latestCheckpoint(db, runId);
      const which = !Number.isFinite(r.metaLoss ?? 0) ? `meta loss (${r.metaLoss})` : `training loss (${r.trainLoss})`;
      const error =
        `non-finite ${which} at step ${r.step}; the run stopped and its last good checkpoint ` +
        (last ? `(step ${last.step}) is kept` : 'does not exist (none was written yet)') +
        '. Lower lower.lr or upper.metaLr, check the data for extreme labels, and start a new run.';
      flush();
      await weightsReady();
      finishRun(db, runId, 'failed', { error });
      hooks.log?.(`run ${runId}: ${error}`);
      return { ...outcome('failed', error), steps: last?.step ?? 0 };
    }
    recentTrain.push(r.trainLoss);
    if (recentTrain.length > RECENT) recentTrain.shift();
    if (r.metaLoss !== null) {
      lastMeta = r.metaLoss;
      recentMeta.push(r.metaLoss);
      if (recentMeta.length > RECENT) recentMeta.shift();
    }
    interval.push(r);
    if (r.step % config.metricsEvery === 0 || r.step === config.steps) {
      const metas = interval.filter((x) => x.metaLoss !== null).map((x) => x.metaLoss!);
      const secs = (performance.now() - intervalStart) / 1000;
      pending.push({
        step: r.step,
        trainLoss: meanOf(interval.map((x) => x.trainLoss)),
        weightedLoss: meanOf(interval.map((x) => x.weightedLoss)),
        metaLoss: meanOf(metas),
        lr: r.lr,
        throughput: secs > 0 ? interval.reduce((n, x) => n + x.instances, 0) / secs : null,
      });
      interval = [];
      intervalStart = performance.now();
    }
    const snapshotDue = r.step % config.snapshotEvery === 0 || r.step === config.steps;
    const checkpointDue = r.step % config.checkpointEvery === 0 || r.step === config.steps;
    let cancel = hooks.shouldCancel?.() ?? false;
    if (snapshotDue || checkpointDue || cancel) await prefetch(engine.stateTensors());
    else if (hooks.onProgress) await weightsReady();
    if (snapshotDue || checkpointDue || performance.now() - lastFlush > FLUSH_MS || cancel) {
      // The checkpoint and everything logged up to it are committed together.
      cancel =
        flush(() => {
          if (snapshotDue) recordWeights(r.step);
          if (checkpointDue) checkpoint();
        }) || cancel;
    }
    progress(r.step === config.steps);
    if (checkpointDue && hooks.crashAfterCheckpoint === r.step) throw new SimulatedCrash(`simulated crash after step ${r.step}`);
    if (cancel && r.step < config.steps) {
      await prefetch(engine.stateTensors());
      flush(() => {
        recordWeights(r.step);
        checkpoint();
      });
      const o = outcome('cancelled', null);
      finishRun(db, runId, 'cancelled', { summary: summary(o) });
      hooks.log?.(`run ${runId}: cancelled at step ${r.step}`);
      return o;
    }
  }
  await weightsReady();
  const o = outcome('completed', null);
  flush();
  finishRun(db, runId, 'completed', { summary: summary(o) });
  return o;
}

