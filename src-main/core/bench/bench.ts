import { mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { currentBackend } from '../engine/backend';
import { microbenchMatmul, type MatmulShape } from './microbench';
import { startBackend } from '../engine/tf-backend';
import { buildEngine, disposeEngine } from '../engine/build';
import { parseTrainConfig, type Method } from '../engine/config';
import { REWEIGHTING_METHODS, type BackendChoice } from '../../../src-shared/training';
import { Rng } from '../engine/rng';
import { disposeTrainingData, loadTrainingData } from '../engine/training-data';
import { createWeighting } from '../engine/upper';
import type { Batch } from '../engine/batch';
import { importFile } from '../data/import';
import { runDemo, type DemoTrainer } from '../demo/demo';
import { loadBuiltInSample } from '../sample/cache';
import { openDb, type Db } from '../store/db';
import { createRun, saveInstanceSnapshot } from '../store/runs-store';
import { matmulFlops, matmulShapes } from './flops';
import { createSyntheticRun, weightPageMs } from '../explore/synthetic';
import { ensureExplorerTable } from '../explore/instance-table';
import { runSync } from '../engine/reads';

/** How `dreamprm bench` runs (the microbenchmarks' own timing options are BenchOptions in bench/microbench.ts). */
export interface BenchRunOptions {
  quick?: boolean;
  log?: (m: string) => void;
  /** training workers for the main job (the caller owns the worker code); without them it is skipped */
  demoTrainers?: (dbPath: string) => DemoTrainer[];
  /** the backend to measure (default auto) */
  backend?: BackendChoice;
}

export interface BenchResult {
  backend: string;
  /** what computed: the WebGPU adapter, the CUDA GPU or the CPU */
  device: string;
  /** why the backend asked for is not the one measured, or null */
  fallback: string | null;
  threads: number;
  versions: Record<string, string>;
  matmulGflops: { shape: string; gflops: number }[];
  trainGflops: number;
  /** method@unroll → ms per training step */
  stepMs: Record<string, number>;
  /** method@unroll → step time ÷ uniform step time */
  overhead: Record<string, number>;
  instanceTableScale: number;
  importStepsPerSec: number;
  snapshotMs: number;
  /** a sorted, filtered page of 100 in the instance explorer */
  weightPageMs: number;
  /** instances behind weightPageMs (1,000,000; 200,000 with --quick) */
  weightPageInstances: number;
  /** null with --quick (the demo is not run) */
  demoSeconds: number | null;
  seconds: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** `dreamprm bench`: every number in one run, on the active backend, in scratch databases. */
export async function runBench(opts: BenchRunOptions = {}): Promise<BenchResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const report = await startBackend(opts.backend ?? 'auto', { log, syncReads: false });
  const info = { ...currentBackend()!, name: report.name };
  const dir = mkdtempSync(join(tmpdir(), 'dreamprm-bench-'));
  try {
    const dbPath = join(dir, 'bench.db');
    const db = openDb(dbPath);
    log('loading the built-in sample');
    await loadBuiltInSample(db, dbPath, 1);

    log('training steps per method');
    const { stepMs, trainGflops, shapes } = await benchSteps(db, opts.quick ? 8 : 25);
    log('matMul on the shapes the default PRM step ran');
    const matmulGflops = (await microbenchMatmul(shapes.slice(0, 5), { reps: opts.quick ? 5 : 15 })).map((r) => ({
      shape: r.shape,
      gflops: round(r.gflops, 1),
    }));
    const overhead: Record<string, number> = {};
    for (const [k, ms] of Object.entries(stepMs)) {
      if (!k.startsWith('uniform')) overhead[k] = round(ms / stepMs['uniform@1'], 2);
    }

    log('instance table at 10,000 and 1,000,000 instances');
    const instanceTableScale = benchInstanceTable(stepMs['instance-table@1']);
    log('import of a 1,000,000-step corpus');
    const importStepsPerSec = await benchImport(dir, opts.quick ? 200_000 : 1_000_000);
    log('one weight snapshot at 1,000,000 instances');
    const snapshotMs = benchSnapshot(db);
    db.close();
    const weightPageInstances = opts.quick ? 200_000 : 1_000_000;
    log(`instance explorer page at ${weightPageInstances.toLocaleString('en')} instances`);
    const weightPage = await benchWeightPage(join(dir, 'explorer.db'), weightPageInstances);

    let demoSeconds: number | null = null;
    if (!opts.quick && opts.demoTrainers) {
      log('the main job (dreamprm demo) on a fresh database');
      const demoDb = join(dir, 'demo.db');
      const demo = await runDemo(demoDb, { seed: 1, trainers: opts.demoTrainers(demoDb) });
      demoSeconds = round(demo.seconds, 1);
    }
    return {
      backend: info.name,
      device: report.device,
      fallback: report.fallback,
      threads: info.threads,
      versions: { tfjs: tf.version.tfjs, node: process.versions.node, backend: info.version },
      matmulGflops,
      trainGflops,
      stepMs,
      overhead,
      instanceTableScale,
      importStepsPerSec,
      snapshotMs,
      weightPageMs: weightPage,
      weightPageInstances,
      demoSeconds,
      seconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Mean step time per method and unroll, measured in two round-robin rounds (the lower of the
 * two means is kept), so that a busy moment or JIT warm-up does not land on one method only.
 */
async function benchSteps(
  db: Db,
  steps: number,
): Promise<{ stepMs: Record<string, number>; trainGflops: number; shapes: MatmulShape[] }> {
  const cases: { method: Method; unroll: number }[] = [];
  // s1 and CaR select data, then train as uniform does: their step is uniform's step.
  const timed: readonly Method[] = ['uniform', ...REWEIGHTING_METHODS];
  for (const method of timed) for (const unroll of method === 'uniform' ? [1] : [1, 5]) cases.push({ method, unroll });
  const best: Record<string, number> = {};
  let trainGflops = 0;
  let shapes: MatmulShape[] = [];
  const data = await loadTrainingData(db, parseTrainConfig({ method: 'uniform' }), { dbKey: 'bench' });
  try {
    for (let round = 0; round < 2; round++) {
      for (const { method, unroll } of cases) {
        const engine = buildEngine(data, parseTrainConfig({ method, steps: 100_000, upper: { unroll } }));
        try {
          for (let i = 0; i < Math.max(3, unroll); i++) await engine.runStepAsync(); // compile kernels, pack weights
          // Whole unroll cycles: an upper step's cost is spread over its U lower steps.
          const n = Math.ceil(steps / unroll) * unroll;
          const t0 = performance.now();
          for (let i = 0; i < n; i++) await engine.runStepAsync();
          const ms = (performance.now() - t0) / n;
          const key = `${method}@${unroll}`;
          best[key] = Math.min(best[key] ?? Infinity, ms);
          if (method === 'uniform' && round === 1) {
            const flops = await matmulFlops(async () => {
              await engine.runStepAsync();
            });
            trainGflops = round2(flops / (best[key] / 1000) / 1e9);
            shapes = (await matmulShapes(async () => {
              await engine.runStepAsync();
            })).map(({ m, k, n, batch, transposeA, transposeB }) => ({ m, k, n, batch, transposeA, transposeB }));
          }
        } finally {
          disposeEngine(engine);
        }
      }
    }
  } finally {
    disposeTrainingData(data);
  }
  const stepMs = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, round2(v)]));
  return { stepMs, trainGflops, shapes };
}

const round2 = (x: number) => round(x, 2);

/**
 * The instance table is the only part of a step whose cost could grow with the number of
 * instances. Its update is timed at 10,000 and 1,000,000 rows and added to a full
 * instance-table step measured on the sample: (step + table@1M) ÷ (step + table@10k).
 */
function benchInstanceTable(fullStepMs: number): number {
  const time = (n: number) => {
    const config = parseTrainConfig({ method: 'instance-table' });
    const w = createWeighting({ config, domainCount: 1, instanceDomains: new Int32Array(n), rng: new Rng(1) });
    const rng = new Rng(2);
    const B = config.batchSize;
    const probs = tf.zeros([B, config.model.maxSteps]) as tf.Tensor2D;
    const h = Float32Array.from({ length: B }, () => rng.normal());
    const batches = Array.from({ length: 64 }, () => ({ B, index: Int32Array.from({ length: B }, () => rng.int(n)) }) as unknown as Batch);
    const run = () => {
      const t0 = performance.now();
      for (const b of batches) {
        const ws = w.weights(b, probs);
        ws.dispose();
        runSync(w.stepReads(b, probs, h, 5e-3));
      }
      return (performance.now() - t0) / batches.length;
    };
    run();
    const ms = median([run(), run(), run()]);
    probs.dispose();
    w.dispose();
    return ms;
  };
  const small = time(10_000);
  const big = time(1_000_000);
  return round((fullStepMs + big) / (fullStepMs + small), 3);
}

/** Writes a canonical JSONL corpus of `steps` steps (5 a CoT) and times its import. */
async function benchImport(dir: string, steps: number): Promise<number> {
  const file = join(dir, 'bench-corpus.jsonl');
  const out = createWriteStream(file);
  const cots = Math.ceil(steps / 5);
  for (let i = 0; i < cots; i++) {
    const rec = {
      qid: `q${i >> 1}`,
      question: `What is ${i % 97} plus ${i % 13}?`,
      domain: `d${i % 8}`,
      pool: 'train',
      cotId: `c${i & 1}`,
      steps: Array.from({ length: 5 }, (_, t) => ({ text: `Step ${t + 1} : ${i % 97} + ${t} = ${(i % 97) + t} .`, m: (t % 4) / 4, k: 4 })),
      answer: String(i % 110),
    };
    if (!out.write(JSON.stringify(rec) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const db = openDb(join(dir, 'import.db'));
  try {
    const t0 = performance.now();
    const s = await importFile(db, file, { format: 'jsonl' });
    return Math.round(s.steps / ((performance.now() - t0) / 1000));
  } finally {
    db.close();
  }
}

/** A synthetic run of n instances (no training), its explorer table, then a filtered page. */
async function benchWeightPage(path: string, n: number): Promise<number> {
  const db = openDb(path);
  try {
    const run = createSyntheticRun(db, { instances: n });
    await ensureExplorerTable(db, run.runId);
    return round(weightPageMs(db, run.runId), 2);
  } finally {
    db.close();
  }
}

function benchSnapshot(db: Db): number {
  const runId = createRun(db, { method: 'instance-table', config: {}, totalSteps: 1, backend: 'bench', name: 'bench snapshot' });
  const weights = Float32Array.from({ length: 1_000_000 }, (_, i) => 1 + Math.sin(i));
  const times: number[] = [];
  for (let step = 1; step <= 5; step++) {
    const t0 = performance.now();
    saveInstanceSnapshot(db, runId, step, weights);
    times.push(performance.now() - t0);
  }
  return round(median(times), 1);
}
