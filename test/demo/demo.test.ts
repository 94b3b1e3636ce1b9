import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { DEMO_RUNS, runDemo, type DemoEvent } from '../../src-main/core/demo/demo';
import { renderDemo } from '../../src-main/cli/demo-command';
import { openDb } from '../../src-main/core/store/db';
import { listRuns } from '../../src-main/core/store/runs-store';
import { listEvaluations } from '../../src-main/core/store/eval-store';
import { sampleDirFor } from '../../src-main/core/sample/cache';

const dir = mkdtempSync(join(tmpdir(), 'dreamprm-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dreamprm demo', () => {
  it('generates and imports the sample, trains the five PRMs, evaluates them and stores it all', async () => {
    const dbPath = join(dir, 'demo.db');
    const events: DemoEvent[] = [];
    const r = await runDemo(dbPath, { seed: 1, steps: 12, onEvent: (e) => events.push(e) });

    expect(Object.keys(r.bon).sort()).toEqual(['VisBench-Charts', 'VisBench-Spatial', 'average']);
    for (const row of Object.values(r.bon)) {
      expect(Object.keys(row).sort()).toEqual(['domain', 'instance-net', 'instance-table', 'oracle', 'pass@1', 'self-consistency', 'text-only', 'uniform']);
      for (const v of Object.values(row)) expect(v).toBeGreaterThanOrEqual(0);
      expect(row.oracle).toBeGreaterThanOrEqual(row['pass@1']);
    }
    expect(Object.keys(r.truthQuality)).toHaveLength(8);
    expect(Object.keys(r.domainWeights).sort()).toEqual(Object.keys(r.truthQuality).sort());
    expect(r.spearman === null || (r.spearman >= -1 && r.spearman <= 1)).toBe(true);
    expect(r.backend).toMatch(/wasm|cpu|tensorflow/);

    // Everything is in the database the app opens, named so a person can tell the runs apart.
    const db = openDb(dbPath);
    const runs = listRuns(db);
    expect(runs.map((x) => x.name)).toEqual(expect.arrayContaining(DEMO_RUNS.map((k) => `demo ${k} (seed 1)`)));
    expect(runs.every((x) => x.status === 'completed')).toBe(true);
    expect(listEvaluations(db)).toHaveLength(5);
    db.close();

    // Reweighting runs start from the uniform PRM; progress was reported for every run.
    const started = events.filter((e) => e.type === 'run-started').map((e) => e.type === 'run-started' && e.key);
    expect(started.slice(0, 2).sort()).toEqual(['text-only', 'uniform']);
    for (const k of DEMO_RUNS) expect(events.some((e) => e.type === 'run-progress' && e.key === k)).toBe(true);
    expect(renderDemo(r)).toMatch(/average\s+[\d.]+\s+[\d.]+\s+[\d.]+/);

    // The second time, the sample comes from the cache and imports nothing new.
    const again = await runDemo(dbPath, { seed: 1, steps: 4 });
    expect(again.runs.uniform.runId).toBeGreaterThan(r.runs['instance-net'].runId);
    expect(sampleDirFor(dbPath, 1)).toBe(r.sampleDir);
  }, 600_000);

  it('refuses a database that holds other data, and changes nothing in it', async () => {
    const dbPath = join(dir, 'mixed.db');
    const db = openDb(dbPath);
    const file = join(dir, 'own.jsonl');
    writeFileSync(file, JSON.stringify({ qid: 'q1', question: 'What?', domain: 'mine', pool: 'train', steps: [{ text: 'a', m: 1, k: 4 }] }) + '\n');
    await importFile(db, file, { format: 'jsonl' });
    db.close();
    await expect(runDemo(dbPath, { seed: 1, steps: 4 })).rejects.toThrow(/holds data besides the built-in sample.*mine \(train\).*--db PATH/);
    const after = openDb(dbPath);
    expect(listRuns(after)).toHaveLength(0);
    expect(after.prepare('SELECT name FROM domains').pluck().all()).toEqual(['mine']);
    after.close();
  }, 120_000);
});
