import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importScores } from '../../src-main/core/export/import-scores';
import { openDb, type Db } from '../../src-main/core/store/db';
import { listEvaluations } from '../../src-main/core/store/eval-store';

const dir = mkdtempSync(join(tmpdir(), 'scores-'));

/** Two benchmarks; question i of each has candidates c0 (right) and c1 (wrong), 2 steps each. */
function seed(db: Db): { id: number; bench: string; qid: string; cot: string; correct: boolean }[] {
  const out: { id: number; bench: string; qid: string; cot: string; correct: boolean }[] = [];
  for (const bench of ['MathVista', 'MMMU']) {
    const d = db.prepare(`INSERT INTO domains (name, pool) VALUES (?, 'test')`).run(bench).lastInsertRowid;
    for (let i = 0; i < 2; i++) {
      const q = db.prepare(`INSERT INTO questions (ext_id, domain_id, text, answer) VALUES (?, ?, 'q', '1')`).run(`q${i}`, d).lastInsertRowid;
      for (const [cot, correct] of [['c0', true], ['c1', false]] as const) {
        const id = Number(
          db.prepare(`INSERT INTO cots (question_id, ext_id, answer, correct, n_steps) VALUES (?, ?, ?, ?, 2)`).run(q, cot, correct ? '1' : '2', correct ? 1 : 0)
            .lastInsertRowid,
        );
        db.prepare(`INSERT INTO steps (cot_id, idx, text) VALUES (?, 0, 'a'), (?, 1, 'b')`).run(id, id);
        out.push({ id, bench, qid: `q${i}`, cot, correct });
      }
    }
  }
  const train = db.prepare(`INSERT INTO domains (name, pool) VALUES ('chartqa', 'train')`).run().lastInsertRowid;
  const tq = db.prepare(`INSERT INTO questions (ext_id, domain_id, text) VALUES ('t', ?, 't')`).run(train).lastInsertRowid;
  db.prepare(`INSERT INTO cots (id, question_id, ext_id, n_steps) VALUES (900, ?, 't0', 1)`).run(tq);
  return out;
}

function file(name: string, lines: (object | string)[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return p;
}

describe('import-scores', () => {
  it('evaluates external per-step scores like an internal run, by store ids or data ids', async () => {
    const db = openDb(':memory:');
    const cands = seed(db);
    // A PRM that prefers the right candidate everywhere except MMMU q1.
    const lines = cands.map((c, i) => {
      const good = c.correct !== (c.bench === 'MMMU' && c.qid === 'q1');
      const scores = good ? [0.9, 0.8] : [0.6, 0.2];
      return i % 2 ? { cotId: c.id, scores } : { qid: c.qid, domain: c.bench, cotId: c.cot, scores };
    });
    const r = await importScores(db, file('big-prm.jsonl', lines), { label: 'Qwen-72B PRM' });
    expect(r).toMatchObject({ lines: 8, scored: 8, missing: 0, lengthMismatches: 0 });
    const e = r.evaluation;
    expect(e).toMatchObject({ runId: null, label: 'Qwen-72B PRM' });
    expect(e.benchmarks.find((b) => b.benchmark === 'MathVista')!.bon.logodds).toBe(100);
    expect(e.benchmarks.find((b) => b.benchmark === 'MMMU')!.bon.logodds).toBe(50);
    expect(e.average.oracle).toBe(100);
    expect(listEvaluations(db).map((x) => [x.label, x.runId])).toEqual([['Qwen-72B PRM', null]]);
    db.close();
  });

  it('lists missing candidates, or evaluates without them when allowed', async () => {
    const db = openDb(':memory:');
    const cands = seed(db);
    const p = file('partial.jsonl', cands.slice(1).map((c) => ({ cotId: c.id, scores: [0.5, 0.5, 0.5] })));
    await expect(importScores(db, p)).rejects.toThrow(/1 of 8 test candidates have no scores in .*partial\.jsonl:\n {2}MathVista\/q0\/c0 \(cotId \d+\)\nScore them too, or pass --allow-missing/);
    expect(listEvaluations(db)).toHaveLength(0);
    const r = await importScores(db, p, { allowMissing: true });
    expect(r).toMatchObject({ scored: 7, missing: 1, lengthMismatches: 7 });
    expect(r.evaluation.label).toBe('partial.jsonl');
    db.close();
  });

  it('refuses a file with bad lines, naming each line and field, and stores nothing', async () => {
    const db = openDb(':memory:');
    const cands = seed(db);
    const p = file('bad.jsonl', [
      { cotId: cands[0].id, scores: [0.5, 0.5] },
      '{"cotId": 1, "scores": [0.5,',
      { cotId: cands[1].id, scores: [1.5, 0.2] },
      { cotId: 'c0', scores: [0.5] },
      { cotId: 12345, scores: [0.5] },
      { cotId: 900, scores: [0.5] },
      { qid: 'q9', domain: 'MMMU', cotId: 'c0', scores: [0.5] },
      { cotId: cands[0].id, scores: [0.1, 0.1] },
      { cotId: cands[2].id, scores: [], extra: 1 },
    ]);
    const err = await importScores(db, p).catch((e: Error) => e.message);
    expect(err).toMatch(/bad\.jsonl: 9 bad lines, nothing was imported/);
    expect(err).toMatch(/line 2: not JSON/);
    expect(err).toMatch(/line 3: scores\[0\] scores must be probabilities in \[0, 1\], got 1\.5/);
    expect(err).toMatch(/line 4: cotId a cotId given as a string .* needs qid and domain/);
    expect(err).toMatch(/line 5: no CoT with id 12345/);
    expect(err).toMatch(/line 6: CoT 900 is in the train pool, not a test candidate/);
    expect(err).toMatch(/line 7: no test candidate "c0" of question "q9" in domain "MMMU"/);
    expect(err).toMatch(/line 8: CoT \d+ is scored twice/);
    expect(err).toMatch(/line 9: (\(record\) unknown field "extra"|scores is empty)/);
    expect(listEvaluations(db)).toHaveLength(0);
    await expect(importScores(db, join(dir, 'nope.jsonl'))).rejects.toThrow(/file not found: .*nope\.jsonl/);
    db.close();
  });

  it('works from the command line with --json', () => {
    const dbPath = join(dir, 'cli.db');
    const db = openDb(dbPath);
    const cands = seed(db);
    db.close();
    const p = file('cli.jsonl', cands.map((c) => ({ cotId: c.id, scores: c.correct ? [0.9, 0.9] : [0.1, 0.1] })));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'import-scores', p, '--db', dbPath, '--label', 'ext', '--json'], {
      cwd: resolve(__dirname, '../..'),
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { evaluation: { label: string; average: { bon: { logodds: number } } } };
    expect(out.evaluation.label).toBe('ext');
    expect(out.evaluation.average.bon.logodds).toBe(100);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'import-scores', p, '--db', dbPath, '--agg', 'median'], {
      cwd: resolve(__dirname, '../..'),
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown aggregation "median"/);
  });
});
