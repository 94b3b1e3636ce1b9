import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureExplorerTable, explorerTableRow } from '../../src-main/core/explore/instance-table';
import { domainHistograms, evenlySpaced, instanceDetail, TRAJECTORY_POINTS, weightTrajectory } from '../../src-main/core/explore/instance';
import { explainPage, pageInstances, SEARCH_QUESTION_CAP } from '../../src-main/core/explore/query';
import { createSyntheticRun } from '../../src-main/core/explore/synthetic';
import { INSTANCE_SORTS, type InstanceQuery, type InstanceRow } from '../../src-main/core/explore/types';
import { openDb, type Db } from '../../src-main/core/store/db';
import { createRun, saveInstanceSnapshot } from '../../src-main/core/store/runs-store';
import { corpusDb, fakeRun } from './helpers';

describe('the explorer table of a large synthetic run', () => {
  let db: Db;
  let runId: number;
  let all: InstanceRow[];
  let domains: string[];

  beforeAll(async () => {
    db = openDb(':memory:');
    const run = createSyntheticRun(db, { instances: 5000, domains: 4, cotsPerQuestion: 2 });
    runId = run.runId;
    domains = run.domains;
    const info = await ensureExplorerTable(db, runId, { chunk: 1000 });
    expect(info).toMatchObject({ runId, instances: 5000, step: 1000, firstStep: 0, domains, stale: false, lossesStep: null });
    all = pageInstances(db, runId, { sort: 'idx', desc: false, limit: 1000, offset: 0 }).rows;
    for (let off = 1000; off < 5000; off += 1000) all.push(...pageInstances(db, runId, { sort: 'idx', desc: false, limit: 1000, offset: off }).rows);
  });

  afterAll(() => db.close());

  it('has one row per instance with its weights, change, mean label and steps', () => {
    expect(all.map((r) => r.idx)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    const stepsOf = db.prepare('SELECT avg(coalesce(human, mc)) AS m, count(*) AS n FROM steps WHERE cot_id = ?');
    for (const r of [all[0], all[1234], all[4999]]) {
      expect(r.weight0).toBe(1);
      expect(r.change).toBeCloseTo(r.weight - 1, 6);
      const s = stepsOf.get(r.cotId) as { m: number; n: number };
      expect(r.meanLabel).toBeCloseTo(s.m, 9);
      expect(r.steps).toBe(s.n);
      expect(r.loss).toBeNull();
      expect(r.questionExtId).toMatch(/^sq-\d+$/);
    }
  });

  const key: Record<InstanceQuery['sort'], (r: InstanceRow) => number> = {
    idx: (r) => r.idx,
    weight: (r) => r.weight,
    change: (r) => r.change,
    loss: (r) => r.loss ?? -Infinity,
    meanLabel: (r) => r.meanLabel ?? -Infinity,
    steps: (r) => r.steps,
  };

  /** The reference: filter and sort every row in JavaScript. */
  function expected(q: Partial<InstanceQuery> & { sort: InstanceQuery['sort']; desc: boolean }): InstanceRow[] {
    const rows = all.filter(
      (r) =>
        (q.domain == null || r.domain === q.domain) &&
        (q.minWeight == null || r.weight >= q.minWeight) &&
        (q.maxWeight == null || r.weight <= q.maxWeight),
    );
    const sign = q.desc ? -1 : 1;
    return rows.sort((a, b) => sign * (key[q.sort](a) - key[q.sort](b) || a.idx - b.idx));
  }

  it('pages every sort, with and without domain and weight filters, like a full sort would', () => {
    for (const sort of INSTANCE_SORTS)
      for (const desc of [false, true])
        for (const domain of [null, domains[2]])
          for (const range of [{}, { minWeight: 0.6, maxWeight: 1.2 }]) {
            const q = { sort, desc, domain, ...range };
            const want = expected(q);
            for (const offset of [0, 150, want.length - 20]) {
              const page = pageInstances(db, runId, { ...q, offset: Math.max(0, offset), limit: 50 }, true);
              expect(page.total).toBe(want.length);
              expect(page.rows.map((r) => r.idx)).toEqual(want.slice(Math.max(0, offset), Math.max(0, offset) + 50).map((r) => r.idx));
            }
          }
  });

  it('reads every page from a covering index, never sorting rows in a temporary b-tree', () => {
    for (const sort of INSTANCE_SORTS)
      for (const domain of [null, domains[1]])
        for (const range of [{}, { minWeight: 0.5 }, { minWeight: 0.5, maxWeight: 1.5 }]) {
          const plan = explainPage(db, runId, { sort, desc: true, domain, ...range, offset: 100 }).join(' | ');
          expect(plan, `${sort} ${domain} ${JSON.stringify(range)}`).toMatch(/USING COVERING INDEX/);
          expect(plan).not.toMatch(/TEMP B-TREE/);
          if (domain) expect(plan).toMatch(/\(domain=\?/);
        }
  });

  it('searches questions by id prefix and text prefix, case-insensitively, and says when a search is cut short', () => {
    const byId = pageInstances(db, runId, { search: 'SQ-123', sort: 'idx', desc: false, limit: 100 }, true);
    const ids = new Set(byId.rows.map((r) => r.questionExtId));
    expect([...ids].every((e) => e.startsWith('sq-123'))).toBe(true);
    // sq-123, sq-1230..sq-1239 (and sq-12300.. do not exist): 11 questions × 2 CoTs.
    expect(byId.total).toBe(22);
    const byText = pageInstances(db, runId, { search: 'how tall is the BAR number 8?', sort: 'weight', desc: true, limit: 100 }, true);
    expect(byText.total).toBeGreaterThan(0);
    expect(byText.rows.every((r) => r.questionText.startsWith('How tall is the bar number 8?'))).toBe(true);
    const ws = byText.rows.map((r) => r.weight);
    expect(ws).toEqual([...ws].sort((a, b) => b - a));
    const filtered = pageInstances(db, runId, { search: 'sq-1', domain: domains[0], sort: 'idx', desc: false, limit: 100 });
    expect(filtered.rows.every((r) => r.domain === domains[0])).toBe(true);
    const broad = pageInstances(db, runId, { search: 'sq-', sort: 'idx', desc: false, limit: 10 }, true);
    expect(broad.searchTruncated).toBe(true);
    expect(broad.total).toBeLessThanOrEqual(SEARCH_QUESTION_CAP * 2);
    expect(pageInstances(db, runId, { search: 'no such question', sort: 'idx', desc: false }, true).total).toBe(0);
  });

  it('refuses queries it cannot answer, naming what is wrong', () => {
    expect(() => pageInstances(db, runId, { domain: 'nope' })).toThrow(/has no training domain "nope" \(it has synth-/);
    expect(() => pageInstances(db, runId, { minWeight: 2, maxWeight: 1 })).toThrow(/weight range is empty: minimum 2 is above maximum 1/);
    expect(() => pageInstances(db, runId, { limit: 5000 })).toThrow(/limit must be 1\.\.1000/);
    expect(() => pageInstances(db, runId, { offset: -1 })).toThrow(/offset must be a whole number/);
    expect(() => pageInstances(db, runId, { sort: 'name' as 'idx' })).toThrow(/unknown sort "name"/);
    expect(() => pageInstances(db, 999, {})).toThrow(/run 999 has no explorer table yet/);
  });

  it('histograms weights per domain over shared bins', () => {
    const h = domainHistograms(db, runId, 20);
    expect(h.edges).toHaveLength(21);
    expect(h.domains.map((d) => d.domain)).toEqual(domains);
    for (const d of h.domains) {
      expect(d.counts.reduce((a, b) => a + b, 0)).toBe(d.instances);
      const rows = all.filter((r) => r.domain === d.domain);
      expect(d.instances).toBe(rows.length);
      expect(d.meanWeight).toBeCloseTo(rows.reduce((s, r) => s + r.weight, 0) / rows.length, 4);
    }
    // The synthetic run trusts later domains more.
    expect(h.domains[3].meanWeight).toBeGreaterThan(h.domains[0].meanWeight);
  });
});

describe('the explorer over a real corpus', () => {
  let dir: string;
  let db: Db;

  beforeAll(async () => {
    ({ dir, db } = await corpusDb());
  });

  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens one instance with its question, image, labelled steps and weight over the run', async () => {
    const runId = fakeRun(db, { 0: () => 1, 10: (i) => 1 + i / 10, 20: (i) => 1 + i / 5 });
    await ensureExplorerTable(db, runId);
    const d = instanceDetail(db, runId, 3);
    expect(d.row).toMatchObject({ idx: 3, weight0: 1, domain: 'alpha', steps: 3 });
    expect(d.row.weight).toBeCloseTo(1.6, 5);
    expect(d.trajectory.map((p) => p.step)).toEqual([0, 10, 20]);
    expect(d.trajectory.map((p) => p.weight)).toEqual([1, expect.closeTo(1.3, 5), expect.closeTo(1.6, 5)]);
    expect(d.question).toMatchObject({ domain: 'alpha', pool: 'train', missingImages: 0 });
    expect(d.question.imageIds).toHaveLength(1);
    expect(d.question.text).toMatch(/^What is the value of alpha-q\d\?$/);
    expect(d.cot.steps.map((s) => [s.mc, s.k, s.source])).toEqual([
      [0.75, 4, 'monte-carlo'],
      [0.25, 4, 'monte-carlo'],
      [0.5, 4, 'monte-carlo'],
    ]);
    expect(() => instanceDetail(db, runId, 99)).toThrow(/run \d+ has no instance 99 \(it has 12\)/);
  });

  it('follows an instance over many snapshots with a bounded number of reads, first and last kept', () => {
    const snapshots: Record<number, (i: number) => number> = {};
    for (let s = 0; s <= 300; s++) snapshots[s * 10] = (i) => i + s / 100;
    const runId = fakeRun(db, snapshots);
    const t = weightTrajectory(db, runId, 4, 'alpha');
    expect(t).toHaveLength(TRAJECTORY_POINTS);
    expect(t[0]).toEqual({ step: 0, weight: 4 });
    expect(t.at(-1)).toEqual({ step: 3000, weight: 7 });
    expect(t.map((p) => p.step)).toEqual([...new Set(t.map((p) => p.step))].sort((a, b) => a - b));
    expect(evenlySpaced([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  it('rebuilds a stale table once the run has newer weights, replacing the old table', async () => {
    const runId = fakeRun(db, { 0: () => 1, 10: () => 2 });
    const first = await ensureExplorerTable(db, runId);
    const oldTable = explorerTableRow(db, runId)!.table_name;
    saveInstanceSnapshot(db, runId, 20, new Float32Array(12).fill(3));
    const again = await ensureExplorerTable(db, runId);
    expect(first.step).toBe(10);
    expect(again).toMatchObject({ step: 20, stale: false });
    expect(pageInstances(db, runId, {}).rows[0]).toMatchObject({ weight: 3, change: 2 });
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB ?`).pluck().all(`explore_run_${runId}_*`);
    expect(tables).toEqual([explorerTableRow(db, runId)!.table_name]);
    expect(tables).not.toContain(oldTable);
  });

  it('leaves a running run\'s table as it is and says it is stale', async () => {
    const runId = fakeRun(db, { 0: () => 1, 10: () => 2 }, 'running');
    db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(process.pid, runId);
    await ensureExplorerTable(db, runId);
    saveInstanceSnapshot(db, runId, 20, new Float32Array(12).fill(3));
    expect(await ensureExplorerTable(db, runId)).toMatchObject({ step: 10, stale: true });
    expect(await ensureExplorerTable(db, runId, { rebuild: true })).toMatchObject({ step: 20, stale: false });
  });

  it('takes a domain run\'s weights from its domain weights, and explains a run without instances', async () => {
    const runId = createRun(db, { method: 'uniform', config: {}, totalSteps: 5, backend: 'cpu' });
    await expect(ensureExplorerTable(db, runId)).rejects.toThrow(/has no training instances recorded yet/);
  });
});
