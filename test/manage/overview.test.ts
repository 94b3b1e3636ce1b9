/**
 * The runs table's figures (roles, latest best-of-N under the default selection, the gain over
 * the compute-matched baseline), tags, browsing a domain, the runs watcher and SQLite errors
 * that name their database.
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchRuns } from '../../src-main/core/api/runs-watch';
import { evaluate } from '../../src-main/core/eval/evaluate';
import { browseDomain, browseQuestion } from '../../src-main/core/manage/browse';
import { matchedBaseline, roleOf, runsOverview, type ConfigView } from '../../src-main/core/manage/run-overview';
import { cleanTags, setRunTags } from '../../src-main/core/manage/run-tags';
import { namingDatabase } from '../../src-main/core/store/db-errors';
import type { Db } from '../../src-main/core/store/db';
import { createRun, finishRun } from '../../src-main/core/store/runs-store';
import { corpusDb, cotIdsByName } from '../explore/helpers';

let dir: string;
let db: Db;
let dbPath: string;

beforeEach(async () => {
  ({ dir, db, dbPath } = await corpusDb());
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(config: Record<string, unknown>, status: 'completed' | 'running' = 'completed'): number {
  const id = createRun(db, { method: config.method as string, config, totalSteps: (config.steps as number) ?? 10, backend: 'cpu' });
  if (status === 'completed') finishRun(db, id, 'completed');
  return id;
}

/** An evaluation whose PRM favours the named CoTs (0.9 against 0.3 for the rest). */
async function evaluated(runId: number, favoured: string[], agg: 'mean' | 'min' = 'mean') {
  const ids = cotIdsByName(db);
  const fav = new Set(favoured.map((n) => ids.get(n)!));
  const steps = db.prepare('SELECT n_steps FROM cots WHERE id = ?').pluck();
  return evaluate(db, { runId, label: `run ${runId}`, agg, scorer: async (cots) => cots.map((id) => new Float32Array(steps.get(id) as number).fill(fav.has(id) ? 0.9 : 0.3)) });
}

describe('run roles', () => {
  it('tells the vanilla PRM at equal compute, baselines, the ablation and the upper bound apart', () => {
    expect(roleOf({ method: 'uniform' }, false)).toBe('uniform');
    expect(roleOf({ method: 'uniform' }, true)).toBe('cold-start');
    expect(roleOf({ method: 'uniform', coldStart: { fromRun: 1 } }, false)).toBe('vanilla-equal-compute');
    expect(roleOf({ method: 'domain', coldStart: { fromRun: 1 } }, false)).toBe('reweighting');
    expect(roleOf({ method: 's1' }, false)).toBe('data-selection');
    expect(roleOf({ method: 'car', coldStart: { fromRun: 1 } }, false)).toBe('data-selection');
    expect(roleOf({ method: 'uniform', model: { image: false } }, false)).toBe('ablation-text-only');
    expect(roleOf({ method: 'domain', metaSource: 'test', coldStart: { fromRun: 1 } }, false)).toBe('upper-bound');
  });

  it('matches the baseline by cold start and steps, preferring the same seed, never an unfinished run', () => {
    const r = (id: number, config: ConfigView, status = 'completed') => ({ id, status, config });
    const domain = r(10, { method: 'domain', steps: 100, seed: 2, coldStart: { fromRun: 1 } });
    const runs = [
      r(2, { method: 'uniform', steps: 100, seed: 1, coldStart: { fromRun: 1 } }),
      r(3, { method: 'uniform', steps: 100, seed: 2, coldStart: { fromRun: 1 } }),
      r(4, { method: 'uniform', steps: 100, seed: 1, coldStart: { fromRun: 1 } }),
      r(5, { method: 'uniform', steps: 200, seed: 2, coldStart: { fromRun: 1 } }),
      r(6, { method: 'uniform', steps: 100, seed: 2, coldStart: { fromRun: 9 } }),
      r(7, { method: 'uniform', steps: 100, seed: 2, coldStart: { fromRun: 1 } }, 'running'),
      domain,
    ];
    expect(matchedBaseline(domain, runs)?.id).toBe(3);
    expect(matchedBaseline({ ...domain, config: { ...domain.config, seed: 8 } }, runs)?.id).toBe(4);
    expect(matchedBaseline({ ...domain, config: { method: 'domain', steps: 100 } }, runs)).toBeNull();
  });
});

describe('runs overview', () => {
  it('gives each run its latest best-of-N under weighted vote and its difference from the matched baseline', async () => {
    const cold = run({ method: 'uniform', steps: 10, seed: 0 });
    const vanilla = run({ method: 'uniform', steps: 20, seed: 0, coldStart: { fromRun: cold } });
    const domain = run({ method: 'domain', steps: 20, seed: 0, coldStart: { fromRun: cold } });
    const lonely = run({ method: 'instance-net', steps: 30, seed: 0, coldStart: { fromRun: cold } });
    await evaluated(vanilla, []); // ties everywhere: a third of T1 and T2 right, T3 never
    await evaluated(domain, ['T1/c2', 'T2/c2']); // the right answer on T1 and T2
    const byId = new Map(runsOverview(db).map((o) => [o.runId, o]));
    expect(byId.get(cold)).toMatchObject({ role: 'cold-start', result: null, baseline: null });
    expect(byId.get(vanilla)).toMatchObject({ role: 'vanilla-equal-compute', coldStartFrom: cold, baseline: null });
    const d = byId.get(domain)!;
    expect(d.result).toMatchObject({ selection: 'weighted-vote', agg: 'mean', bestOfN: expect.closeTo(66.67, 1), passAt1: expect.closeTo(22.22, 1), oracle: expect.closeTo(66.67, 1) });
    expect(d.baseline).toEqual({ runId: vanilla, bestOfN: expect.closeTo(22.22, 1), delta: expect.closeTo(44.44, 1) });
    expect(byId.get(lonely)).toMatchObject({ role: 'reweighting', baseline: null });
  });

  it('compares under the same aggregation only, and shows no figure for an evaluation stored before weighted vote', async () => {
    const cold = run({ method: 'uniform', steps: 10 });
    const vanilla = run({ method: 'uniform', steps: 20, coldStart: { fromRun: cold } });
    const domain = run({ method: 'domain', steps: 20, coldStart: { fromRun: cold } });
    await evaluated(vanilla, [], 'mean');
    const old = await evaluated(domain, [], 'min');
    expect(runsOverview(db).find((o) => o.runId === domain)!.baseline).toEqual({ runId: vanilla, bestOfN: null, delta: null });
    // An old report: no weightedVote, byN or tasks.
    const report = JSON.parse(db.prepare('SELECT report FROM evaluations WHERE id = ?').pluck().get(old.evaluationId) as string);
    delete report.average.weightedVote;
    db.prepare('UPDATE evaluations SET report = ? WHERE id = ?').run(JSON.stringify(report), old.evaluationId);
    expect(runsOverview(db).find((o) => o.runId === domain)!.result).toMatchObject({ bestOfN: null, majority: expect.any(Number) });
  });

  it('carries the user\'s tags, cleaned, and refuses an unknown run', () => {
    const id = run({ method: 'uniform' });
    expect(setRunTags(db, id, [' Paper ', 'paper', 'seed sweep', ''])).toEqual(['paper', 'seed sweep']);
    expect(runsOverview(db)[0].tags).toEqual(['paper', 'seed sweep']);
    expect(setRunTags(db, id, [])).toEqual([]);
    expect(runsOverview(db)[0].tags).toEqual([]);
    expect(() => setRunTags(db, 999, ['x'])).toThrow(/run 999 does not exist/);
    expect(() => cleanTags(['x'.repeat(41)])).toThrow(/longer than 40 characters/);
  });
});

describe('browsing a domain outside runs', () => {
  it('pages its questions with a search, and shows a question with every CoT and its labels', () => {
    const alpha = db.prepare(`SELECT id FROM domains WHERE name = 'alpha'`).pluck().get() as number;
    const page = browseDomain(db, alpha, { limit: 2 });
    expect(page).toMatchObject({ domain: 'alpha', pool: 'train', total: 3 });
    expect(page.items.map((i) => [i.extId, i.cots, i.imageId !== null])).toEqual([['alpha-q1', 2, true], ['alpha-q2', 2, true]]);
    expect(browseDomain(db, alpha, { search: 'ALPHA-Q3' }).items.map((i) => i.extId)).toEqual(['alpha-q3']);
    expect(browseDomain(db, alpha, { search: '100%' }).total).toBe(0);
    const q = browseQuestion(db, page.items[0].questionId);
    expect(q.question).toMatchObject({ extId: 'alpha-q1', domain: 'alpha', pool: 'train', answer: '3' });
    expect(q.cots.map((c) => [c.extId, c.steps.length, c.steps[0].source])).toEqual([['c1', 3, 'monte-carlo'], ['c2', 3, 'monte-carlo']]);
    expect(() => browseDomain(db, 999)).toThrow(/no domain with id 999/);
    expect(() => browseQuestion(db, 99_999)).toThrow(/no question with id 99999/);
  });
});

describe('runs made by another process', () => {
  it('are noticed by the watcher: a new run and a status change each call back once', async () => {
    const seen: number[] = [];
    const stop = watchRuns(db, () => seen.push(Date.now()), 10);
    const wait = () => new Promise((r) => setTimeout(r, 60));
    await wait();
    expect(seen).toHaveLength(0);
    const id = run({ method: 'uniform' }, 'running');
    await wait();
    expect(seen).toHaveLength(1);
    finishRun(db, id, 'failed');
    await wait();
    expect(seen).toHaveLength(2);
    stop();
  });
});

describe('SQLite errors', () => {
  it('name the database file; other errors pass unchanged', () => {
    let caught: unknown;
    try {
      db.prepare('SELECT * FROM no_such_table').all();
    } catch (e) {
      caught = e;
    }
    expect((namingDatabase(caught, dbPath) as Error).message).toBe(`database ${dbPath}: no such table: no_such_table`);
    const plain = new Error('x');
    expect(namingDatabase(plain, dbPath)).toBe(plain);
  });
});
