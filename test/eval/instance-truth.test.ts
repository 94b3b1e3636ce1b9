/** Instance weights against the sample's per-CoT label corruption (`dreamprm probe --instances`, the demo's line). */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { compareInstancesWithTruth, corruptedShares } from '../../src-main/core/eval/instance-truth';
import { generateSample } from '../../src-main/core/sample';
import { openDb, type Db } from '../../src-main/core/store/db';
import { saveInstanceSnapshot, saveRunInstances } from '../../src-main/core/store/run-snapshots-store';
import { createRun } from '../../src-main/core/store/runs-store';
import { smallConfig, tempDir } from '../sample/helpers';

let dir: string;
let db: Db;
let cotIds: Int32Array;
let shares: number[];
let domains: Int32Array;
let names: string[];

beforeAll(async () => {
  dir = tempDir('instance-truth');
  const out = join(dir, 'sample');
  await generateSample(out, { config: smallConfig(), seed: 3 });
  db = openDb(join(dir, 'studio.db'));
  await importFile(db, join(out, 'corpus.jsonl'), { format: 'jsonl' });
  const truth = corruptedShares(smallConfig(), 3);
  const rows = db
    .prepare(
      `SELECT c.id, d.name || '|' || q.ext_id || '|' || c.ext_id AS key, d.name AS domain FROM cots c
         JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id WHERE d.pool = 'train' ORDER BY c.id`,
    )
    .all() as { id: number; key: string; domain: string }[];
  names = [...new Set(rows.map((r) => r.domain))];
  cotIds = Int32Array.from(rows, (r) => r.id);
  domains = Int32Array.from(rows, (r) => names.indexOf(r.domain));
  shares = rows.map((r) => truth.get(r.key)!);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function runWithWeights(weights: Float32Array): number {
  const runId = createRun(db, { method: 'instance-table', config: {}, totalSteps: 1, backend: 'cpu' });
  saveRunInstances(db, runId, cotIds, domains, names);
  saveInstanceSnapshot(db, runId, 1, weights);
  return runId;
}

describe('instance weights against the sample truth', () => {
  it('rebuilds every training CoT\'s corrupted-label share, non-zero only in the corrupted domains', () => {
    expect(shares.every((s) => s !== undefined && s >= 0 && s <= 1)).toBe(true);
    const corruptedDomains = new Set(shares.map((s, i) => (s > 0 ? names[domains[i]] : null)).filter(Boolean));
    expect([...corruptedDomains].sort()).toEqual(['compare', 'grid-web']);
  });

  it('gives Spearman -1 when weights fall exactly as labels get noisier, and about 0 for weights unrelated to them', () => {
    const perfect = compareInstancesWithTruth(db, runWithWeights(Float32Array.from(shares, (s, i) => 2 - s - i * 1e-6)))!;
    expect(perfect.instances).toBe(cotIds.length);
    expect(perfect.spearman!).toBeLessThan(-0.6);
    expect(perfect.domains.find((d) => d.domain === 'grid-web')!.spearman!).toBeLessThan(-0.9);
    expect(perfect.domains.find((d) => d.domain === 'bars')!.spearman).toBeNull(); // clean: nothing to follow

    const unrelated = compareInstancesWithTruth(db, runWithWeights(Float32Array.from(shares, (_, i) => ((i * 7919) % 101) / 101)))!;
    expect(Math.abs(unrelated.spearman!)).toBeLessThan(0.3);
  });

  it('is printed by `dreamprm probe --instances`, which says what is missing when it cannot compare', () => {
    const runId = runWithWeights(Float32Array.from(shares, (s) => 1 - s));
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'probe', ...args, '--db', join(dir, 'studio.db')], { encoding: 'utf8', timeout: 60_000 });
    const ok = cli(['--run', String(runId), '--instances']);
    expect(ok.stderr).not.toMatch(/dreamprm:/);
    expect(ok.stdout).toMatch(/Spearman over all instances: -1\.000 /);
    expect(ok.stdout).toMatch(/grid-web\s+\d+\s+[\d.]+\s+0\.\d+\s+-1\.000/);
    const bad = cli(['--run', '999', '--instances']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/run 999/);
  });

  it('answers null for a database without the sample truth.json', () => {
    const other = openDb(':memory:');
    expect(compareInstancesWithTruth(other, 1)).toBeNull();
    other.close();
  });
});
