/**
 * A small corpus for explorer, review and annotation tests: train, meta and test pools with
 * images, imported through the real importer; plus a fake PRM for evaluations (no tfjs).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { importFile } from '../../src-main/core/data/import';
import { evaluate, type EvaluationReport } from '../../src-main/core/eval/evaluate';
import { openDb, type Db } from '../../src-main/core/store/db';
import { createRun, finishRun, saveInstanceSnapshot, saveRunInstances } from '../../src-main/core/store/runs-store';
import type { CanonicalCotRecord } from '../../src-main/core/types';

export function png(rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 24, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}

function cot(
  domain: string,
  qid: string,
  cotId: string,
  pool: 'train' | 'meta' | 'test',
  answer: string,
  correct: boolean | undefined,
  labels: (number | null)[],
  k: number | undefined,
): CanonicalCotRecord {
  return {
    qid,
    question: `What is the value of ${qid}?`,
    images: ['img/a.png'],
    groundTruth: '3',
    domain,
    pool,
    cotId,
    steps: labels.map((m, i) => ({
      text: i === labels.length - 1 ? `Answer: ${answer}` : `Step ${i + 1} reads the chart for ${qid}.`,
      ...(m === null ? {} : { m, ...(k === undefined ? {} : { k }) }),
    })),
    answer,
    correct,
  };
}

/**
 * Train: 2 domains × 3 questions × 2 CoTs with Monte Carlo labels (k 4); meta: 2 CoTs; test:
 * 3 questions × 3 candidates with dataset step labels (m without k), one correct each, except
 * T3 whose candidates are all wrong.
 */
export function corpusRecords(): CanonicalCotRecord[] {
  const records: CanonicalCotRecord[] = [];
  for (const domain of ['alpha', 'beta'])
    for (let q = 1; q <= 3; q++)
      for (let c = 1; c <= 2; c++) records.push(cot(domain, `${domain}-q${q}`, `c${c}`, 'train', '3', undefined, [0.75, c === 1 ? 1 : 0.25, 0.5], 4));
  records.push(cot('dev', 'M1', 'c1', 'meta', '3', true, [null, null], undefined));
  records.push(cot('dev', 'M2', 'c1', 'meta', '4', false, [null, null], undefined));
  for (let q = 1; q <= 3; q++)
    for (let c = 1; c <= 3; c++) {
      const correct = q !== 3 && c === 2;
      records.push(cot('bench', `T${q}`, `c${c}`, 'test', correct ? '3' : String(4 + c), correct, [1, correct ? 1 : 0], undefined));
    }
  return records;
}

export async function corpusDb(): Promise<{ dir: string; db: Db; dbPath: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dreamprm-explore-'));
  mkdirSync(join(dir, 'img'));
  writeFileSync(join(dir, 'img', 'a.png'), await png([200, 40, 40]));
  const file = join(dir, 'corpus.jsonl');
  writeFileSync(file, corpusRecords().map((r) => JSON.stringify(r)).join('\n') + '\n');
  const dbPath = join(dir, 'studio.db');
  const db = openDb(dbPath);
  const summary = await importFile(db, file, { format: 'jsonl' });
  if (summary.rejected) throw new Error(`test corpus rejected: ${JSON.stringify(summary.errors)}`);
  return { dir, db, dbPath };
}

/** CoT ids by "<qid>/<cot ext id>". */
export function cotIdsByName(db: Db): Map<string, number> {
  const rows = db
    .prepare('SELECT q.ext_id AS q, c.ext_id AS c, c.id FROM cots c JOIN questions q ON q.id = c.question_id')
    .all() as { q: string; c: string; id: number }[];
  return new Map(rows.map((r) => [`${r.q}/${r.c}`, r.id]));
}

/**
 * Evaluates with a fake PRM: every step of the named CoTs scores `high`, every other step 0.3.
 * The choice per question is then the favoured candidate.
 */
export async function fakeEvaluation(db: Db, favoured: number[], label: string): Promise<EvaluationReport> {
  const fav = new Set(favoured);
  const steps = db.prepare('SELECT n_steps FROM cots WHERE id = ?').pluck();
  return evaluate(db, {
    runId: null,
    label,
    agg: 'mean',
    scorer: async (ids) => ids.map((id) => new Float32Array(steps.get(id) as number).fill(fav.has(id) ? 0.9 : 0.3)),
  });
}

/**
 * A finished instance-table run over the train pool's CoTs, written the way the trainer
 * writes it (instances once, then snapshots), with the given weights per snapshot step.
 */
export function fakeRun(db: Db, snapshots: Record<number, (i: number) => number>, status: 'completed' | 'running' = 'completed'): number {
  const rows = db
    .prepare(
      `SELECT c.id, d.name FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
        WHERE d.pool = 'train' ORDER BY c.id`,
    )
    .all() as { id: number; name: string }[];
  const names = [...new Set(rows.map((r) => r.name))].sort();
  const steps = Object.keys(snapshots).map(Number);
  const runId = createRun(db, { method: 'instance-table', config: { method: 'instance-table' }, totalSteps: Math.max(...steps), backend: 'cpu' });
  saveRunInstances(db, runId, Int32Array.from(rows, (r) => r.id), Int32Array.from(rows, (r) => names.indexOf(r.name)), names);
  for (const step of steps) saveInstanceSnapshot(db, runId, step, Float32Array.from(rows, (_, i) => snapshots[step](i)));
  if (status === 'completed') finishRun(db, runId, 'completed');
  return runId;
}
