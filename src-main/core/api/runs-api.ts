/** The training half of the API: defaults, starting, watching, cancelling and resuming runs. */
import { z } from 'zod';
import { AGGREGATIONS } from '../engine/aggregate';
import { runInputs } from '../annotate/run-inputs';
import { defaultConfig, flattenConfig, METHODS, parseTrainConfig, unflattenConfig, type TrainConfig } from '../engine/config';
import { UserError } from '../errors';
import { BACKEND_CHOICES, type BackendChoice } from '../../../src-shared/training';
import type { Db } from '../store/db';
import * as runs from '../store/runs-store';
import { stepVectorCounts } from '../store/vectors-store';
import { id, NotFoundError, parseArgs } from './args';
import { RUN_CONFIG_FIELDS } from './run-fields';
import { runsStartedFrom } from '../manage/describe';
import { roleOf, type ConfigView } from '../manage/run-overview';
import type {
  BackendSummary,
  ConfigValue,
  MetricPoint,
  RunDefaults,
  RunDetail,
  Method,
  RunProgress,
  RunStatus,
  RunSummary,
  StudioApi,
  WeightHistogram,
} from './types';

export type RunsApi = Pick<
  StudioApi,
  | 'runDefaults'
  | 'startRun'
  | 'listRuns'
  | 'getRun'
  | 'getMetrics'
  | 'getDomainWeights'
  | 'getWeightHistogram'
  | 'cancelRun'
  | 'resumeRun'
>;

/**
 * What the API needs from whatever trains: in the app, the one long-lived training worker of
 * the process. Runs it starts are written to the same database the API reads.
 */
export interface RunTrainer {
  /** creates the run and starts training it; resolves with its id once it exists */
  start(config: TrainConfig, name: string | null, backend?: BackendChoice): Promise<number>;
  /** continues an interrupted, cancelled or failed run from its last checkpoint */
  resume(runId: number, backend?: BackendChoice): Promise<void>;
  /** asks a running or queued run to stop at its next step boundary (it checkpoints first) */
  cancel(runId: number): Promise<void>;
  /** the backend training uses (or will use) here */
  backend(): Promise<BackendSummary>;
  onProgress(listener: (progress: RunProgress) => void): () => void;
  onStatus(listener: (runId: number, status: RunStatus, error: string | null) => void): () => void;
  close(): Promise<void>;
}

const configValue = z.union([z.number(), z.string().max(200), z.boolean(), z.null()]);

/** Only the summary's fields: a store record also carries its owner, which stays in this process. */
function summary(r: runs.RunSummary): RunSummary {
  return {
    runId: r.runId,
    name: r.name,
    method: r.method,
    status: r.status,
    step: r.step,
    totalSteps: r.totalSteps,
    backend: r.backend,
    device: r.device,
    parityMaxAbsDiff: r.parityMaxAbsDiff,
    backendFallback: r.backendFallback,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    seconds: r.seconds,
    error: r.error,
    trainLoss: r.trainLoss,
    metaLoss: r.metaLoss,
  };
}

/** The flat form of a method's reference config, which the new-run form edits. */
export function flatDefaults(method: Method): Record<string, ConfigValue> {
  // CaR is valid only with a cold start (it ranks with that PRM); its form starts without one
  // and the user picks it, so the defaults are read with a stand-in parent that is then cleared.
  if (method !== 'car') return flattenConfig(defaultConfig(method)) as Record<string, ConfigValue>;
  const flat = flattenConfig(parseTrainConfig({ method, coldStart: { fromRun: 1 } })) as Record<string, ConfigValue>;
  return { ...flat, 'coldStart.fromRun': null };
}

/** Flat overrides from the form → a validated config; unknown keys are refused by name. */
export function configFromOverrides(method: Method, overrides: Record<string, ConfigValue>): TrainConfig {
  const known = flatDefaults(method);
  for (const key of Object.keys(overrides)) {
    if (key === 'method') throw new UserError('config: choose the method with "method", not inside the config');
    if (!(key in known)) throw new UserError(`config: unknown setting "${key}"`);
  }
  return parseTrainConfig({ ...unflattenConfig(overrides), method }, 'run settings');
}

/** Equal-width bins over the weights' range; a constant vector fills one bin. */
export function histogram(values: Float32Array, bins: number): { edges: number[]; counts: number[] } {
  if (values.length === 0) return { edges: [], counts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi - lo < 1e-9) return { edges: [lo, lo + 1e-3], counts: [values.length] };
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))] += 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  return { edges, counts };
}

export function createRunsApi(db: Db, trainer: RunTrainer): RunsApi {
  function checkRun(runId: number): void {
    if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) {
      throw new NotFoundError(`run ${runId} does not exist`);
    }
  }
  const runArg = z.object({ runId: id }).strict();

  return {
    async runDefaults(): Promise<RunDefaults> {
      const defaults = Object.fromEntries(METHODS.map((m) => [m, flatDefaults(m)])) as RunDefaults['defaults'];
      return {
        methods: METHODS,
        defaults,
        fields: RUN_CONFIG_FIELDS,
        backend: await trainer.backend(),
        aggregations: AGGREGATIONS,
        stepVectors: stepVectorCounts(db),
      };
    },

    async startRun(args) {
      const a = parseArgs(
        'startRun',
        z
          .object({
            method: z.enum(METHODS),
            config: z.record(z.string(), configValue).optional(),
            name: z.string().max(200).optional(),
            backend: z.enum(BACKEND_CHOICES).optional(),
          })
          .strict(),
        args,
      );
      const config = configFromOverrides(a.method, a.config ?? {});
      // The trainer checks the cold start before it writes the run and records what the run
      // starts with (its inputs), as for runs of the CLI (TrainingHost.start).
      const runId = await trainer.start(config, a.name?.trim() || null, a.backend);
      return summary(runs.getRun(db, runId));
    },

    async listRuns() {
      return runs.listRuns(db).map(summary);
    },

    async getRun(args): Promise<RunDetail> {
      const { runId } = parseArgs('getRun', runArg, args);
      checkRun(runId);
      const r = runs.getRun(db, runId);
      const config = r.config as unknown as ConfigView;
      return {
        ...summary(r),
        config: r.config,
        role: roleOf(config, runsStartedFrom(db, runId).length > 0),
        coldStartFrom: config.coldStart?.fromRun ?? null,
        inputs: runInputs(db, runId),
        domainWeights: r.domainWeights,
        cancelRequested: r.cancelRequested,
        lastCheckpointStep: r.lastCheckpointStep,
      };
    },

    async getMetrics(args): Promise<MetricPoint[]> {
      const a = parseArgs(
        'getMetrics',
        z.object({ runId: id, sinceStep: z.number().int().min(0).optional() }).strict(),
        args,
      );
      checkRun(a.runId);
      return runs.getMetrics(db, a.runId, a.sinceStep ?? 0);
    },

    async getDomainWeights(args) {
      const { runId } = parseArgs('getDomainWeights', runArg, args);
      checkRun(runId);
      return runs.getDomainWeightTrajectory(db, runId);
    },

    async getWeightHistogram(args): Promise<WeightHistogram> {
      const a = parseArgs(
        'getWeightHistogram',
        z.object({ runId: id, bins: z.number().int().min(1).max(200).optional() }).strict(),
        args,
      );
      checkRun(a.runId);
      // The snapshot may hold millions of weights: only the bins cross the boundary.
      const snap = runs.getInstanceWeightSnapshot(db, a.runId);
      if (!snap) return { step: null, instances: 0, edges: [], counts: [] };
      return { step: snap.step, instances: snap.weights.length, ...histogram(snap.weights, a.bins ?? 30) };
    },

    async cancelRun(args) {
      const { runId } = parseArgs('cancelRun', runArg, args);
      checkRun(runId);
      const r = runs.getRun(db, runId);
      if (r.status !== 'running') throw new UserError(`run ${runId} is ${r.status}, not running: nothing to cancel`);
      await trainer.cancel(runId);
      return summary(runs.getRun(db, runId));
    },

    async resumeRun(args) {
      const { runId, backend } = parseArgs(
        'resumeRun',
        z.object({ runId: id, backend: z.enum(BACKEND_CHOICES).optional() }).strict(),
        args,
      );
      checkRun(runId);
      const r = runs.getRun(db, runId);
      if (r.status === 'running') throw new UserError(`run ${runId} is already running`);
      if (r.status === 'completed') throw new UserError(`run ${runId} is completed: nothing to resume`);
      await trainer.resume(runId, backend);
      return summary(runs.getRun(db, runId));
    },
  };
}
