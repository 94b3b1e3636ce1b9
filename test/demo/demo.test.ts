import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { DEMO_RUNS, runDemo, type DemoEvent } from '../../src-main/core/demo/demo';
import { demoTrainers } from '../../src-main/cli/demo-command';
import { renderDemo } from '../../src-main/cli/demo-report';
import { openDb } from '../../src-main/core/store/db';
import { getRun, listRuns } from '../../src-main/core/store/runs-store';
import { listEvaluations } from '../../src-main/core/store/eval-store';
import { sampleDirFor } from '../../src-main/core/sample/cache';

const dir = mkdtempSync(join(tmpdir(), 'dreamprm-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = { coldStart: 8, continued: 4 };

describe('dreamprm demo', () => {
  it('trains the cold start, the ablation and seven runs from the cold start at equal steps, evaluates them all and stores it', async () => {
    const dbPath = join(dir, 'demo.db');
    const events: DemoEvent[] = [];
    const r = await runDemo(dbPath, { seed: 1, steps: tiny, trainers: demoTrainers(2)(dbPath), onEvent: (e) => events.push(e) });

    expect(r.groups.benchmarks).toEqual(['VisBench-Charts', 'VisBench-Spatial']);
    expect(r.groups.tasks).toEqual(['bars', 'compare', 'count', 'gauge', 'grid', 'path']);
    for (const g of ['average', ...r.groups.benchmarks, ...r.groups.tasks]) {
      const row = r.table[g];
      expect(Object.keys(row).sort()).toEqual([...DEMO_RUNS, 'majority', 'oracle', 'pass@1'].sort());
      for (const v of Object.values(row)) expect(v).toBeGreaterThanOrEqual(0);
      expect(row.oracle, g).toBeGreaterThanOrEqual(row['pass@1']);
    }
    expect(r.selection).toBe('weighted-vote');
    expect(Object.keys(r.gains).sort()).toEqual(['domain', 'instance-net', 'instance-table']);
    expect(r.gains.domain).toBeCloseTo(r.table.average.domain - r.table.average['uniform-continued'], 1);
    expect(r.byN.n).toEqual([1, 2, 4, 8]);
    expect(r.byN.curves.majority[0]).toBeCloseTo(r.table.average['pass@1'], 1); // one candidate: pass@1
    expect(Object.keys(r.truthQuality)).toHaveLength(8);
    expect(r.instanceSpread['instance-table']).not.toBeNull();
    expect(Object.keys(r.instanceTruth).sort()).toEqual(['instance-net', 'instance-table']);

    const db = openDb(dbPath);
    const runs = listRuns(db);
    expect(runs.every((x) => x.status === 'completed')).toBe(true);
    expect(listEvaluations(db)).toHaveLength(DEMO_RUNS.length);
    // Equal compute: every run after the cold start trains the same steps from the same checkpoint.
    for (const k of DEMO_RUNS.filter((k) => k !== 'uniform' && k !== 'text-only')) {
      const run = getRun(db, r.runs[k].runId);
      expect(run.totalSteps, k).toBe(tiny.continued);
      expect((run.config as { coldStart: { fromRun: number } }).coldStart.fromRun, k).toBe(r.runs.uniform.runId);
    }
    expect(getRun(db, r.runs['text-only'].runId).totalSteps).toBe(tiny.coldStart + tiny.continued);
    expect(getRun(db, r.runs['sanity-check'].runId).name).toMatch(/upper bound/);
    db.close();

    const started = events.filter((e) => e.type === 'run-started').map((e) => e.type === 'run-started' && e.key);
    expect(started.slice(0, 2).sort()).toEqual(['text-only', 'uniform']);
    const printout = renderDemo(r);
    expect(printout).toMatch(/average\s+[\d.]+\s+[\d.]+\s+[\d.]+/);
    expect(printout).toMatch(/gain over uniform\+/);
    expect(printout).toMatch(/DreamPRM-1\.5 \(GPT-5-mini\)/);

    // The second time, the sample comes from the cache and imports nothing new.
    const again = await runDemo(dbPath, { seed: 1, steps: { coldStart: 4, continued: 2 }, trainers: demoTrainers(1)(dbPath) });
    expect(again.runs.uniform.runId).toBeGreaterThan(r.runs['sanity-check'].runId);
    expect(sampleDirFor(dbPath, 1)).toBe(r.sampleDir);
  }, 900_000);

  it('refuses a database that holds other data, and changes nothing in it', async () => {
    const dbPath = join(dir, 'mixed.db');
    const db = openDb(dbPath);
    const file = join(dir, 'own.jsonl');
    writeFileSync(file, JSON.stringify({ qid: 'q1', question: 'What?', domain: 'mine', pool: 'train', steps: [{ text: 'a', m: 1, k: 4 }] }) + '\n');
    await importFile(db, file, { format: 'jsonl' });
    db.close();
    await expect(runDemo(dbPath, { seed: 1, steps: tiny, trainers: demoTrainers(1)(dbPath) })).rejects.toThrow(
      /holds data besides the built-in sample.*mine \(train\).*--db PATH/,
    );
    const after = openDb(dbPath);
    expect(listRuns(after)).toHaveLength(0);
    expect(after.prepare('SELECT name FROM domains').pluck().all()).toEqual(['mine']);
    after.close();
  }, 120_000);
});
