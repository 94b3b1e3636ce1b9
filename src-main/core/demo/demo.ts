import type { AggName } from '../engine/aggregate';
import { parseTrainConfig, type TrainConfig } from '../engine/config';
import type { BackendRequest } from '../engine/tf-backend';
import type { RunOutcome, RunProgress } from '../engine/trainer-types';
import type { RunEvaluation } from '../eval/run-eval';
import { DEFAULT_SELECTION } from '../eval/selection';
import { compareWithTruth } from '../eval/truth';
import { instanceTruthOf } from '../eval/instance-truth';
import { assertOnlySample, loadBuiltInSample, sampleDirFor } from '../sample/cache';
import type { SampleConfig } from '../sample/config';
import { openDb } from '../store/db';
import { getInstanceWeightSnapshot, getRun } from '../store/runs-store';
import { demoTables, type DemoTables } from './report';
import { continuesColdStart, DEMO_RUNS, DEMO_RUN_LABELS, demoConfig, type DemoRunKey, type DemoSteps } from './runs';

export { DEMO_RUNS, DEMO_RUN_LABELS, type DemoRunKey };

/**
 * What the demo needs of a training worker (the worker's TrainingHost has it): the core does
 * not import the worker, the caller hands its hosts in.
 */
export interface DemoTrainer {
  start(config: TrainConfig, opts: { backend?: BackendRequest; name?: string | null }): Promise<{ runId: number }>;
  whenDone(runId: number): Promise<RunOutcome>;
  onProgress(cb: (p: RunProgress) => void): () => void;
  evaluate(runId: number, agg: AggName, opts: { backend?: BackendRequest }): Promise<RunEvaluation>;
  close(): Promise<void>;
}

export interface DemoOptions {
  seed: number;
  /** another layout of the sample (default: the built-in one) */
  sampleConfig?: SampleConfig;
  steps?: Partial<DemoSteps>;
  /** one trainer per worker; runs are spread over them (2 cores here: 2) */
  trainers: DemoTrainer[];
  backend?: BackendRequest;
  onEvent?: (e: DemoEvent) => void;
}

/** Measured on the built-in sample (README "The main job"): the reader learns every task by then. */
export const DEFAULT_DEMO_STEPS: DemoSteps = { coldStart: 1500, continued: 800 };
/** Best-of-N figures use this aggregation, fixed with the selection mode before any test result. */
export const DEMO_AGG: AggName = 'logodds';

export type DemoEvent =
  | { type: 'phase'; phase: 'sample' | 'train' | 'evaluate'; message: string }
  | { type: 'sample'; phase: 'generating' | 'importing'; fraction: number }
  | { type: 'run-started'; key: DemoRunKey; runId: number }
  | { type: 'run-progress'; key: DemoRunKey; progress: RunProgress }
  | { type: 'run-done'; key: DemoRunKey; outcome: RunOutcome }
  | { type: 'evaluated'; key: DemoRunKey; evaluationId: number };

export interface DemoResult extends DemoTables {
  seconds: number;
  backend: string;
  /** what computed the evaluations (GPU name, WebGPU adapter or CPU) */
  device: string | null;
  seed: number;
  sampleDir: string;
  steps: DemoSteps;
  domainWeights: Record<string, number>;
  truthQuality: Record<string, number>;
  spearman: number | null;
  /** instance methods: 5th, 50th and 95th percentile of the learned weights at the last snapshot */
  instanceSpread: Record<'instance-table' | 'instance-net', { p5: number; p50: number; p95: number } | null>;
  /** instance methods: Spearman of learned weight with the CoT's share of corrupted labels (negative: noisier CoTs weigh less) */
  instanceTruth: Record<'instance-table' | 'instance-net', number | null>;
  runs: Record<DemoRunKey, { runId: number; evaluationId: number; seconds: number }>;
}

/**
 * The main job: the built-in sample, a uniform PRM (the cold start), its text-only ablation,
 * and from the cold start at equal compute: the vanilla PRM trained on, the three reweighting
 * methods, the two data-selection baselines and the sanity check; each evaluated best-of-N.
 */
export async function runDemo(dbPath: string, opts: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const emit = opts.onEvent ?? (() => {});
  const steps = { ...DEFAULT_DEMO_STEPS, ...opts.steps };
  const db = openDb(dbPath);
  try {
    emit({ type: 'phase', phase: 'sample', message: `built-in sample, seed ${opts.seed}` });
    // Checked before anything is written: a database with other data is left as it was.
    assertOnlySample(db, sampleDirFor(dbPath, opts.seed, opts.sampleConfig));
    const sample = await loadBuiltInSample(
      db,
      dbPath,
      opts.seed,
      (phase, fraction) => emit({ type: 'sample', phase, fraction }),
      opts.sampleConfig,
    );
    emit({ type: 'phase', phase: 'train', message: `training ${DEMO_RUNS.length} PRMs on ${opts.trainers.length} workers` });
    const done = await trainAndEvaluate(opts, steps, emit);
    const evals = Object.fromEntries(DEMO_RUNS.map((k) => [k, done[k].evaluation])) as Record<DemoRunKey, RunEvaluation>;
    const domainWeights = getRun(db, done.domain.outcome.runId).domainWeights;
    const truth = compareWithTruth(db, domainWeights);
    const spread = (k: 'instance-table' | 'instance-net') => percentiles(getInstanceWeightSnapshot(db, done[k].outcome.runId)?.weights);
    const truthOf = instanceTruthOf(db);
    const followsLabels = (k: 'instance-table' | 'instance-net') => truthOf(done[k].outcome.runId)?.spearman ?? null;
    return {
      ...demoTables(evals, DEFAULT_SELECTION, DEMO_AGG),
      seconds: (performance.now() - started) / 1000,
      backend: evals.uniform.backend,
      device: evals.uniform.device ?? null,
      seed: opts.seed,
      sampleDir: sample.dir,
      steps,
      domainWeights,
      truthQuality: truth?.truthQuality ?? {},
      spearman: truth?.spearman ?? null,
      instanceSpread: { 'instance-table': spread('instance-table'), 'instance-net': spread('instance-net') },
      instanceTruth: { 'instance-table': followsLabels('instance-table'), 'instance-net': followsLabels('instance-net') },
      runs: Object.fromEntries(
        DEMO_RUNS.map((k) => [k, { runId: done[k].outcome.runId, evaluationId: done[k].evaluation.evaluationId, seconds: done[k].outcome.seconds }]),
      ) as DemoResult['runs'],
    };
  } finally {
    await Promise.all(opts.trainers.map((t) => t.close()));
    db.close();
  }
}

type Finished = Record<DemoRunKey, { outcome: RunOutcome; evaluation: RunEvaluation }>;

/**
 * One queue over the trainers, each taking the next run when free: the cold start and the
 * ablation (the longest run, so it starts at once) first, then the runs that continue from the
 * cold start, which wait for it. A run is evaluated on its trainer as soon as it ends.
 */
async function trainAndEvaluate(opts: DemoOptions, steps: DemoSteps, emit: (e: DemoEvent) => void): Promise<Finished> {
  const done = {} as Finished;
  let coldStartReady: (runId: number) => void = () => {};
  const coldStart = new Promise<number>((resolve) => (coldStartReady = resolve));
  const one = async (t: DemoTrainer, key: DemoRunKey) => {
    const from = continuesColdStart(key) ? await coldStart : null;
    const name = `demo ${key} (seed ${opts.seed})${key === 'sanity-check' ? ' - upper bound' : ''}`;
    const { runId } = await t.start(parseTrainConfig(demoConfig(key, opts.seed, steps, from), `demo run ${key}`), { backend: opts.backend, name });
    emit({ type: 'run-started', key, runId });
    const off = t.onProgress((p) => p.runId === runId && emit({ type: 'run-progress', key, progress: p }));
    const outcome = await t.whenDone(runId).finally(off);
    if (outcome.status !== 'completed') {
      throw new Error(`demo run ${key} (run ${runId}, ${DEMO_RUN_LABELS[key]}) ${outcome.status}: ${outcome.error ?? 'no reason given'}`);
    }
    emit({ type: 'run-done', key, outcome });
    if (key === 'uniform') coldStartReady(runId);
    const evaluation = await t.evaluate(runId, DEMO_AGG, { backend: opts.backend });
    emit({ type: 'evaluated', key, evaluationId: evaluation.evaluationId });
    done[key] = { outcome, evaluation };
  };
  const queue = [...DEMO_RUNS];
  await Promise.all(
    opts.trainers.map(async (t) => {
      for (let key = queue.shift(); key; key = queue.shift()) await one(t, key);
    }),
  );
  return done;
}

/** 5th, 50th and 95th percentile of a weight vector (null without one). */
function percentiles(w: Float32Array | undefined): { p5: number; p50: number; p95: number } | null {
  if (!w || !w.length) return null;
  const s = Float32Array.from(w).sort();
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 1000) / 1000;
  return { p5: at(0.05), p50: at(0.5), p95: at(0.95) };
}
