/**
 * A database with a very large finished run, made by direct bulk inserts (no training): for
 * the explorer's scale tests and the benchmark command. Questions, CoTs with short labelled
 * steps, a completed instance-table run whose instances are those CoTs, and two weight
 * snapshots (the cold start at 1 and a final one whose weights differ by domain).
 */
import { defaultConfig } from '../engine/config';
import type { Db } from '../store/db';
import { createRun, finishRun, saveInstanceSnapshot, saveRunInstances } from '../store/runs-store';
import { ensureExplorerTable } from './instance-table';
import { pageInstances, tableOf } from './query';
import { Mulberry32 } from '../random';

export interface SyntheticRunOptions {
  instances: number;
  domains?: number;
  /** CoTs per question */
  cotsPerQuestion?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SyntheticRun {
  runId: number;
  instances: number;
  domains: string[];
  seconds: number;
}

/** Deterministic: the same seed makes the same database. */
function rng(seed: number): () => number {
  const g = new Mulberry32(seed);
  return () => g.next();
}

const TASK_WORDS = ['bar', 'gauge', 'count', 'grid', 'path', 'compare', 'chart', 'dial'];

export function createSyntheticRun(db: Db, opts: SyntheticRunOptions): SyntheticRun {
  const started = performance.now();
  const n = opts.instances;
  const nDomains = opts.domains ?? 8;
  const perQuestion = opts.cotsPerQuestion ?? 2;
  const random = rng(opts.seed ?? 1);
  const domains = Array.from({ length: nDomains }, (_, d) => `synth-${TASK_WORDS[d % TASK_WORDS.length]}-${d}`);

  const domainIds = db.transaction(() =>
    domains.map((name) => {
      db.prepare(`INSERT OR IGNORE INTO domains (name, pool) VALUES (?, 'train')`).run(name);
      return db.prepare(`SELECT id FROM domains WHERE name = ? AND pool = 'train'`).pluck().get(name) as number;
    }),
  )();
  const nextId = (table: string): number => ((db.prepare(`SELECT max(id) FROM ${table}`).pluck().get() as number | null) ?? 0) + 1;
  const q0 = nextId('questions');
  const c0 = nextId('cots');
  const s0 = nextId('steps');
  const insQ = db.prepare('INSERT INTO questions (id, ext_id, domain_id, text, answer) VALUES (?, ?, ?, ?, ?)');
  const insC = db.prepare('INSERT INTO cots (id, question_id, ext_id, answer, correct, n_steps) VALUES (?, ?, ?, ?, NULL, ?)');
  const insS = db.prepare('INSERT INTO steps (id, cot_id, idx, text, mc, k) VALUES (?, ?, ?, ?, ?, ?)');

  const cotIds = new Int32Array(n);
  const domainOf = new Int32Array(n);
  const batch = 50_000;
  let stepId = s0;
  for (let start = 0; start < n; start += batch) {
    db.transaction(() => {
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const qi = Math.floor(i / perQuestion);
        const d = qi % nDomains;
        if (i % perQuestion === 0) {
          const word = TASK_WORDS[d % TASK_WORDS.length];
          insQ.run(q0 + qi, `sq-${qi}`, domainIds[d], `How tall is the ${word} number ${qi % 9973}? (synthetic ${qi})`, String(qi % 10));
        }
        const cotId = c0 + i;
        const nSteps = 1 + (i % 3);
        insC.run(cotId, q0 + qi, `c${i % perQuestion}`, String(qi % 10), nSteps);
        for (let t = 0; t < nSteps; t++) {
          insS.run(stepId++, cotId, t, `Step ${t + 1} of CoT ${i}.`, Math.round(random() * 4) / 4, 4);
        }
        cotIds[i] = cotId;
        domainOf[i] = d;
      }
    })();
    opts.onProgress?.(Math.min(n, start + batch), n);
  }

  const config = { ...defaultConfig('instance-table'), steps: 1000 };
  const runId = createRun(db, { method: 'instance-table', config, totalSteps: 1000, backend: 'synthetic', name: `synthetic ${n}` });
  // Final weights: a per-domain level (some domains trusted, some not) plus per-instance noise.
  const level = domains.map((_, d) => 0.3 + (1.4 * d) / Math.max(1, nDomains - 1));
  const finalWeights = Float32Array.from(domainOf, (d) => Math.max(0, level[d] + (random() - 0.5) * 0.8));
  db.transaction(() => {
    saveRunInstances(db, runId, cotIds, domainOf, domains);
    saveInstanceSnapshot(db, runId, 0, new Float32Array(n).fill(1));
    saveInstanceSnapshot(db, runId, 1000, finalWeights);
    db.prepare(`UPDATE runs SET step = 1000, started_at = created_at WHERE id = ?`).run(runId);
    finishRun(db, runId, 'completed', { summary: { steps: 1000, synthetic: true } });
  })();
  return { runId, instances: n, domains, seconds: (performance.now() - started) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timed(work: () => unknown): number {
  const t = performance.now();
  work();
  return performance.now() - t;
}

export interface ExplorerTimings {
  instances: number;
  /** building the materialised table (0 when it existed) */
  buildMs: number;
  /** the first page, sorted by weight, with the total count */
  firstPageMs: number;
  /** a later page of the same sort */
  pageChangeMs: number;
  /** the first page under another sort */
  resortMs: number;
  /** a sorted page of 100 filtered to one domain and a weight range, deep in the list */
  filteredPageMs: number;
}

/** Times the explorer's queries on a run (building its table first if needed). Medians of 5. */
export async function measureExplorer(db: Db, runId: number): Promise<ExplorerTimings> {
  const t0 = performance.now();
  const info = await ensureExplorerTable(db, runId);
  const buildMs = performance.now() - t0;
  const n = info.instances;
  const domain = info.domains[Math.floor(info.domains.length / 2)] ?? null;
  const reps = (f: (i: number) => unknown) => median(Array.from({ length: 5 }, (_, i) => timed(() => f(i))));
  return {
    instances: n,
    buildMs,
    firstPageMs: reps(() => pageInstances(db, runId, { sort: 'weight', desc: true, offset: 0, limit: 100 }, true)),
    pageChangeMs: reps((i) => pageInstances(db, runId, { sort: 'weight', desc: true, offset: Math.floor(((i + 1) * n) / 7), limit: 100 })),
    resortMs: reps((i) => pageInstances(db, runId, { sort: i % 2 ? 'change' : 'meanLabel', desc: i % 2 === 0, offset: 0, limit: 100 })),
    filteredPageMs: weightPageMs(db, runId, domain ?? undefined),
  };
}

/**
 * The benchmark's `weightPageMs`: a page of 100 sorted by weight, filtered to one domain and
 * a weight range, a few pages deep (median of 5, ms). The run's explorer table must exist.
 */
export function weightPageMs(db: Db, runId: number, domain?: string): number {
  const names = JSON.parse(tableOf(db, runId).domain_names) as string[];
  const d = domain ?? names[Math.floor(names.length / 2)] ?? null;
  const page = (i: number) =>
    pageInstances(db, runId, { sort: 'weight', desc: true, domain: d, minWeight: 0.1, maxWeight: 10, offset: 100 * (5 + i), limit: 100 });
  page(0);
  return median(Array.from({ length: 5 }, (_, i) => timed(() => page(i))));
}
