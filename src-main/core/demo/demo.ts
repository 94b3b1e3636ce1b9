import type { TrainConfigInput } from '../engine/config';
import type { BackendRequest } from '../engine/tf-backend';
import { evaluateRun } from '../eval/run-eval';
import { compareWithTruth } from '../eval/truth';
import { openDb } from '../store/db';
import { getRun } from '../store/runs-store';
import { TrainingHost, type RunOutcome, type RunProgress } from '../../worker/training-host';
import { assertOnlySample, loadBuiltInSample, sampleDirFor } from '../sample/cache';

/** The five PRMs the demo compares, in the order they are reported. */
export const DEMO_RUNS = ['uniform', 'text-only', 'domain', 'instance-table', 'instance-net'] as const;
export type DemoRunKey = (typeof DEMO_RUNS)[number];

export interface DemoOptions {
  seed: number;
  /** training steps of every run (default: the engine's default) */
  steps?: number;
  /** runs trained at once, each in its own worker (2 cores here: 2) */
  parallel?: number;
  backend?: BackendRequest;
  onEvent?: (e: DemoEvent) => void;
}

export type DemoEvent =
  | { type: 'phase'; phase: 'sample' | 'train' | 'evaluate'; message: string }
  | { type: 'sample'; phase: 'generating' | 'importing'; fraction: number }
  | { type: 'run-started'; key: DemoRunKey; runId: number }
  | { type: 'run-progress'; key: DemoRunKey; progress: RunProgress }
  | { type: 'run-done'; key: DemoRunKey; outcome: RunOutcome }
  | { type: 'evaluated'; key: DemoRunKey; evaluationId: number };

export interface DemoResult {
  seconds: number;
  backend: string;
  seed: number;
  sampleDir: string;
  /** benchmark (or 'average') → method → best-of-8 accuracy in percent (log-odds aggregation) */
  bon: Record<string, Record<string, number>>;
  /** the domain run's learned weights */
  domainWeights: Record<string, number>;
  truthQuality: Record<string, number>;
  spearman: number | null;
  runs: Record<DemoRunKey, { runId: number; evaluationId: number; seconds: number }>;
}

function configOf(key: DemoRunKey, opts: DemoOptions, coldStartRun: number | null): TrainConfigInput {
  const base = { seed: opts.seed, ...(opts.steps ? { steps: opts.steps } : {}) };
  switch (key) {
    case 'uniform':
      return { ...base, method: 'uniform' };
    case 'text-only':
      return { ...base, method: 'uniform', model: { image: false } };
    default:
      return { ...base, method: key, coldStart: { fromRun: coldStartRun } };
  }
}

/**
 * The main job: the built-in sample, a uniform PRM, its text-only ablation, and the three
 * reweighting methods started from the uniform PRM (cold start), each evaluated best-of-N.
 */
export async function runDemo(dbPath: string, opts: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const emit = opts.onEvent ?? (() => {});
  const db = openDb(dbPath);
  const hosts: TrainingHost[] = [];
  try {
    emit({ type: 'phase', phase: 'sample', message: `built-in sample, seed ${opts.seed}` });
    // Checked before anything is written: a database with other data is left as it was.
    assertOnlySample(db, sampleDirFor(dbPath, opts.seed));
    const sample = await loadBuiltInSample(db, dbPath, opts.seed, (phase, fraction) => emit({ type: 'sample', phase, fraction }));

    emit({ type: 'phase', phase: 'train', message: 'training five PRMs' });
    const parallel = Math.max(1, opts.parallel ?? 2);
    for (let i = 0; i < parallel; i++) hosts.push(new TrainingHost(dbPath));
    const outcomes = new Map<DemoRunKey, RunOutcome>();
    const train = async (host: TrainingHost, key: DemoRunKey, coldStart: number | null) => {
      const { runId } = await host.start(configOf(key, opts, coldStart), {
        backend: opts.backend,
        name: `demo ${key} (seed ${opts.seed})`,
      });
      emit({ type: 'run-started', key, runId });
      const off = host.onProgress((p) => p.runId === runId && emit({ type: 'run-progress', key, progress: p }));
      const outcome = await host.whenDone(runId).finally(off);
      if (outcome.status !== 'completed') {
        throw new Error(`demo run ${key} (run ${runId}) ${outcome.status}: ${outcome.error ?? 'no reason given'}`);
      }
      outcomes.set(key, outcome);
      emit({ type: 'run-done', key, outcome });
    };
    // Uniform first (the others start from it); the image-blind ablation alongside it.
    await runQueue(hosts, [(h) => train(h, 'uniform', null), (h) => train(h, 'text-only', null)]);
    const uniformId = outcomes.get('uniform')!.runId;
    await runQueue(
      hosts,
      (['domain', 'instance-table', 'instance-net'] as const).map((k) => (h: TrainingHost) => train(h, k, uniformId)),
    );

    emit({ type: 'phase', phase: 'evaluate', message: 'best-of-N on the test pool' });
    const runs = {} as DemoResult['runs'];
    const bon: DemoResult['bon'] = {};
    let backend = '';
    for (const key of DEMO_RUNS) {
      const o = outcomes.get(key)!;
      const e = await evaluateRun(db, o.runId, { agg: 'logodds', backend: opts.backend });
      backend = e.backend;
      emit({ type: 'evaluated', key, evaluationId: e.evaluationId });
      runs[key] = { runId: o.runId, evaluationId: e.evaluationId, seconds: o.seconds };
      for (const b of [...e.benchmarks, e.average]) {
        const row = (bon[b.benchmark] ??= {
          'pass@1': b.passAt1,
          'self-consistency': b.selfConsistency,
          oracle: b.oracle,
        });
        row[key] = b.bon.logodds;
      }
    }
    const domainWeights = getRun(db, runs.domain.runId).domainWeights;
    const truth = compareWithTruth(db, domainWeights);
    return {
      seconds: (performance.now() - started) / 1000,
      backend,
      seed: opts.seed,
      sampleDir: sample.dir,
      bon,
      domainWeights,
      truthQuality: truth?.truthQuality ?? {},
      spearman: truth?.spearman ?? null,
      runs,
    };
  } finally {
    await Promise.all(hosts.map((h) => h.close()));
    db.close();
  }
}

/** Runs tasks on a fixed set of hosts, each host taking the next task when free. */
async function runQueue(hosts: TrainingHost[], tasks: ((h: TrainingHost) => Promise<void>)[]): Promise<void> {
  const queue = [...tasks];
  await Promise.all(
    hosts.map(async (h) => {
      for (let t = queue.shift(); t; t = queue.shift()) await t(h);
    }),
  );
}
