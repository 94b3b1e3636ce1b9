/**
 * Deleting data, runs and evaluations: the plan names what goes, the deletion removes exactly
 * that in one transaction, shared images and other imports' CoTs stay, running runs block it.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { annotate } from '../../src-main/core/annotate/annotations';
import { setSettings } from '../../src-main/core/annotate/settings';
import { importFile } from '../../src-main/core/data/import';
import { evaluate } from '../../src-main/core/eval/evaluate';
import { ensureExplorerTable } from '../../src-main/core/explore/instance-table';
import { deleteTarget, planDeletion } from '../../src-main/core/manage/delete';
import { allRunTags, setRunTags } from '../../src-main/core/manage/run-tags';
import type { Db } from '../../src-main/core/store/db';
import { createRun, finishRun } from '../../src-main/core/store/runs-store';
import { count } from '../data/helpers';
import { corpusDb, cotIdsByName, fakeEvaluation, fakeRun, png } from '../explore/helpers';

let dir: string;
let db: Db;

const domainId = (name: string): number => db.prepare('SELECT id FROM domains WHERE name = ?').pluck().get(name) as number;
const what = (plan: { removes?: { what: string; count: number }[]; removed?: { what: string; count: number }[] }) =>
  Object.fromEntries((plan.removes ?? plan.removed)!.map((c) => [c.what, c.count]));

beforeEach(async () => {
  ({ dir, db } = await corpusDb());
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('deleting a domain', () => {
  it('plans and removes its questions, CoTs, steps, human labels and the evaluations that scored them; a shared image stays', async () => {
    const ids = cotIdsByName(db);
    setSettings(db, { annotator: 'Ada' });
    annotate(db, { cotId: ids.get('T1/c1')!, stepIdx: 0, value: 0 });
    await fakeEvaluation(db, [ids.get('T1/c2')!], 'fake');
    const plan = planDeletion(db, { kind: 'domain', id: domainId('bench') });
    expect(plan.name).toBe('domain "bench" (test pool)');
    expect(what(plan)).toEqual({ domains: 1, questions: 3, CoTs: 9, steps: 18, 'human labels': 1, 'evaluations that scored these CoTs': 1 });
    expect(plan.refusal).toBeNull();
    const before = count(db, 'cots');
    const result = deleteTarget(db, { kind: 'domain', id: domainId('bench') });
    expect(result.removed).toEqual(plan.removes);
    expect(count(db, 'cots')).toBe(before - 9);
    expect(count(db, 'evaluations')).toBe(0);
    expect(count(db, 'annotations')).toBe(0);
    expect(domainId('bench')).toBeUndefined();
    // Every question of the corpus shows the same picture: it is still needed.
    expect(count(db, 'images')).toBe(1);
  });

  it('says which runs trained on it, and frees the image once no question shows it', () => {
    const runId = fakeRun(db, { 10: () => 1 });
    const plan = planDeletion(db, { kind: 'domain', id: domainId('alpha') });
    expect(plan.notes.join(' ')).toMatch(new RegExp(`Run ${runId} trained on this data`));
    for (const name of ['alpha', 'beta', 'dev', 'bench']) {
      const p = planDeletion(db, { kind: 'domain', id: domainId(name) });
      expect(what(deleteTarget(db, { kind: 'domain', id: domainId(name) }))).toEqual(what(p));
    }
    expect(count(db, 'images')).toBe(0);
    expect(count(db, 'questions')).toBe(0);
  });

  it('refuses while a run is training, and deletes nothing', () => {
    const running = createRun(db, { method: 'uniform', config: { method: 'uniform' }, totalSteps: 10, backend: 'cpu' });
    const plan = planDeletion(db, { kind: 'domain', id: domainId('alpha') });
    expect(plan.refusal).toMatch(new RegExp(`run ${running} is training and reads this data`));
    expect(() => deleteTarget(db, { kind: 'domain', id: domainId('alpha') })).toThrow(/cannot delete domain "alpha" \(train pool\)/);
    expect(domainId('alpha')).toBeDefined();
  });

  it('names an unknown id as not found', () => {
    expect(() => planDeletion(db, { kind: 'domain', id: 999 })).toThrow(/no domain with id 999/);
    expect(() => deleteTarget(db, { kind: 'source', id: 999 })).toThrow(/no import \(source\) with id 999/);
  });
});

describe('undoing an import', () => {
  async function importRecords(name: string, records: object[]): Promise<number> {
    const file = join(dir, name);
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await importFile(db, file, { format: 'jsonl' });
    return db.prepare('SELECT max(id) FROM sources').pluck().get() as number;
  }
  const cot = (domain: string, qid: string, cotId: string, image?: string) => ({
    qid,
    question: `What is the value of ${qid}?`, // as stored by corpusDb: the same question, not a conflict
    domain,
    pool: 'train',
    cotId,
    images: image ? [image] : undefined,
    steps: [{ text: `step of ${cotId}`, m: 0.5, k: 4 }],
  });

  it('removes only its own CoTs: questions that keep others\' CoTs stay and change hands, its new image goes', async () => {
    writeFileSync(join(dir, 'img', 'b.png'), await png([20, 200, 20]));
    const second = await importRecords('second.jsonl', [cot('alpha', 'alpha-q1', 'c9'), cot('gamma', 'gamma-q1', 'c1', 'img/b.png')]);
    const third = await importRecords('third.jsonl', [cot('gamma', 'gamma-q1', 'c2', 'img/b.png')]);
    const plan = planDeletion(db, { kind: 'source', id: second });
    expect(plan.name).toBe(`the import of second.jsonl (source ${second})`);
    expect(what(plan)).toEqual({ import: 1, CoTs: 2, steps: 2 });
    deleteTarget(db, { kind: 'source', id: second });
    const q = db.prepare(`SELECT q.ext_id AS extId, (SELECT count(*) FROM cots c WHERE c.question_id = q.id) AS cots, q.source_id AS source
      FROM questions q JOIN domains d ON d.id = q.domain_id WHERE d.name IN ('alpha', 'gamma') AND q.ext_id IN ('alpha-q1', 'gamma-q1', 'gamma-q2') ORDER BY 1`);
    expect(q.all()).toEqual([
      { extId: 'alpha-q1', cots: 2, source: 1 },
      { extId: 'gamma-q1', cots: 1, source: third },
    ]);
    // The third import still shows b.png; undoing it frees the image and empties gamma.
    expect(what(planDeletion(db, { kind: 'source', id: third }))).toEqual({ import: 1, domains: 1, questions: 1, CoTs: 1, steps: 1, images: 1 });
    deleteTarget(db, { kind: 'source', id: third });
    expect(domainId('gamma')).toBeUndefined();
    expect(count(db, 'images')).toBe(1);
    expect(count(db, 'sources')).toBe(1);
  });

  it('can import the same file again once undone', async () => {
    const rec = [cot('delta', 'd-q1', 'c1')];
    const first = await importRecords('again.jsonl', rec);
    deleteTarget(db, { kind: 'source', id: first });
    await importRecords('again.jsonl', rec);
    expect(db.prepare(`SELECT count(*) FROM cots c JOIN questions q ON q.id = c.question_id WHERE q.ext_id = 'd-q1'`).pluck().get()).toBe(1);
  });
});

describe('deleting a run or an evaluation', () => {
  it('removes the run with its evaluations, explorer table and tags, and says which runs started from it', async () => {
    const runId = fakeRun(db, { 10: () => 1, 20: (i) => 1 + i / 10 });
    await ensureExplorerTable(db, runId);
    setRunTags(db, runId, ['paper']);
    const child = createRun(db, { method: 'domain', config: { method: 'domain', coldStart: { fromRun: runId } }, totalSteps: 5, backend: 'cpu' });
    finishRun(db, child, 'completed');
    await evaluate(db, { runId, label: 'r', agg: 'mean', scorer: async (ids) => ids.map(() => new Float32Array(2).fill(0.5)) });
    const plan = planDeletion(db, { kind: 'run', id: runId });
    expect(plan.name).toBe(`run ${runId} (instance-table)`);
    expect(what(plan)).toMatchObject({ run: 1, evaluations: 1, 'weight snapshots': 2 });
    expect(plan.notes.join(' ')).toMatch(new RegExp(`Run ${child} started from its weights`));
    deleteTarget(db, { kind: 'run', id: runId });
    expect(db.prepare('SELECT id FROM runs').pluck().all()).toEqual([child]);
    expect(count(db, 'evaluations')).toBe(0);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name GLOB 'explore_run_${runId}_*'`).pluck().get()).toBe(0);
    expect(allRunTags(db).has(runId)).toBe(false);
  });

  it('refuses a running run, naming how to cancel it', () => {
    const running = createRun(db, { method: 'uniform', config: { method: 'uniform' }, totalSteps: 10, backend: 'cpu' });
    expect(planDeletion(db, { kind: 'run', id: running }).refusal).toMatch(/is running: cancel it first .*dreamprm cancel/);
    expect(() => deleteTarget(db, { kind: 'run', id: running })).toThrow(/cannot delete run/);
    expect(count(db, 'runs')).toBe(1);
  });

  it('removes one evaluation and its scores, leaving the run\'s others', async () => {
    const a = await fakeEvaluation(db, [], 'a');
    const b = await fakeEvaluation(db, [], 'b');
    expect(what(planDeletion(db, { kind: 'evaluation', id: a.evaluationId }))).toEqual({ evaluation: 1, 'scored candidates': 9 });
    deleteTarget(db, { kind: 'evaluation', id: a.evaluationId });
    expect(db.prepare('SELECT id FROM evaluations').pluck().all()).toEqual([b.evaluationId]);
    expect(db.prepare('SELECT DISTINCT evaluation_id FROM eval_candidates').pluck().all()).toEqual([b.evaluationId]);
  });
});
