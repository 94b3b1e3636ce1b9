import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotate, annotationStats, exportJsonl, exportToFile, undoLastAnnotation } from '../../src-main/core/annotate/annotations';
import { metaPoolSize, promoteToMeta } from '../../src-main/core/annotate/promote';
import { userInfo } from 'node:os';
import { getSettings, setSettings } from '../../src-main/core/annotate/settings';
import { readPool } from '../../src-main/core/engine/dataset';
import { cotView } from '../../src-main/core/explore/cot-view';
import { ensureExplorerTable } from '../../src-main/core/explore/instance-table';
import { pageInstances } from '../../src-main/core/explore/query';
import type { Db } from '../../src-main/core/store/db';
import { corpusDb, cotIdsByName, fakeRun } from '../explore/helpers';

describe('annotation', () => {
  let dir: string;
  let db: Db;
  let ids: Map<string, number>;

  beforeAll(async () => {
    ({ dir, db } = await corpusDb());
    ids = cotIdsByName(db);
  });

  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const human = (cotId: number) => db.prepare('SELECT human FROM steps WHERE cot_id = ? ORDER BY idx').pluck().all(cotId);
  const correct = (cotId: number) => db.prepare('SELECT correct FROM cots WHERE id = ?').pluck().get(cotId);

  it('asks for an annotator name before the first label, and keeps it in the settings', () => {
    expect(getSettings(db)).toEqual({ annotator: null, suggestedAnnotator: userInfo().username });
    expect(() => annotate(db, { cotId: ids.get('alpha-q1/c1')!, stepIdx: 0, value: 1 })).toThrow(/set your name as annotator first/);
    expect(() => setSettings(db, { annotator: '   ' })).toThrow(/cannot be empty/);
    expect(() => setSettings(db, { annotator: 'x'.repeat(101) })).toThrow(/longer than 100 characters/);
    expect(setSettings(db, { annotator: '  Ada ' })).toMatchObject({ annotator: 'Ada' });
  });

  it('marks steps +/− and clears them, overriding Monte Carlo labels, with who and when', () => {
    const cot = ids.get('alpha-q1/c1')!;
    const a = annotate(db, { cotId: cot, stepIdx: 1, value: 0 });
    expect(a.annotation).toMatchObject({ cotId: cot, stepIdx: 1, value: 0, previous: null, annotator: 'Ada', undoneAt: null });
    expect(human(cot)).toEqual([null, 0, null]);
    const step = a.cot.steps[1];
    expect(step).toMatchObject({ human: 0, source: 'human', humanBy: 'Ada', mc: 1, k: 4 });
    expect(Date.parse(step.humanAt!)).toBeGreaterThan(Date.now() - 60_000);
    // Training reads human over m.
    const raw = readPool(db, 'train', 'step-labels', { cotIds: [cot] })[0];
    expect(raw.labels).toEqual([0.75, 0, 0.5]);
    // The same label again records nothing.
    expect(annotate(db, { cotId: cot, stepIdx: 1, value: 0 }).annotation).toBeNull();
    const flip = annotate(db, { cotId: cot, stepIdx: 1, value: 1 });
    expect(flip.annotation).toMatchObject({ value: 1, previous: 0 });
    annotate(db, { cotId: cot, stepIdx: 1, value: null });
    expect(human(cot)).toEqual([null, null, null]);
    expect(cotView(db, cot).steps[1]).toMatchObject({ source: 'monte-carlo', humanBy: null });
  });

  it('judges a CoT correct or incorrect, shown as a human judgement', () => {
    const cot = ids.get('T3/c1')!;
    expect(correct(cot)).toBe(0);
    const r = annotate(db, { cotId: cot, value: 1 });
    expect(r.annotation).toMatchObject({ stepIdx: null, value: 1, previous: 0 });
    expect(r.cot).toMatchObject({ correct: true, correctBy: 'Ada' });
    expect(correct(cot)).toBe(1);
  });

  it('undoes the newest label first, putting back what the target held', () => {
    const cot = ids.get('T3/c1')!;
    const u = undoLastAnnotation(db);
    expect(u.undone).toMatchObject({ cotId: cot, stepIdx: null, value: 1 });
    expect(u.undone!.undoneAt).not.toBeNull();
    expect(correct(cot)).toBe(0);
    expect(u.cot).toMatchObject({ correct: false, correctBy: null });
    // Next: the clearing of alpha-q1/c1 step 1, which had the + before.
    expect(undoLastAnnotation(db).undone).toMatchObject({ value: null, previous: 1 });
    expect(human(ids.get('alpha-q1/c1')!)).toEqual([null, 1, null]);
  });

  it('names a step or CoT that does not exist, and a value that is not a label', () => {
    const cot = ids.get('alpha-q1/c1')!;
    expect(() => annotate(db, { cotId: cot, stepIdx: 7, value: 1 })).toThrow(`CoT ${cot} has no step 7 (its steps are 0..2)`);
    expect(() => annotate(db, { cotId: 99999, stepIdx: 0, value: 1 })).toThrow('no CoT with id 99999');
    expect(() => annotate(db, { cotId: 99999, value: 1 })).toThrow('no CoT with id 99999');
    expect(() => annotate(db, { cotId: cot, stepIdx: 0, value: 2 as 1 })).toThrow(/a label is 1 \(\+ \/ correct\), 0/);
  });

  it('keeps the explorer\'s mean label in step with human labels', async () => {
    const runId = fakeRun(db, { 0: () => 1, 5: () => 1.5 });
    await ensureExplorerTable(db, runId);
    const cot = ids.get('beta-q2/c2')!;
    const row = () => pageInstances(db, runId, { sort: 'idx', desc: false, limit: 100 }).rows.find((r) => r.cotId === cot)!;
    expect(row().meanLabel).toBeCloseTo((0.75 + 0.25 + 0.5) / 3, 9);
    annotate(db, { cotId: cot, stepIdx: 0, value: 0 });
    expect(row().meanLabel).toBeCloseTo((0 + 0.25 + 0.5) / 3, 9);
    undoLastAnnotation(db);
    expect(row().meanLabel).toBeCloseTo((0.75 + 0.25 + 0.5) / 3, 9);
  });

  it('promotes judged CoTs into the meta pool so the upper level learns from them', () => {
    const before = metaPoolSize(db);
    const train = ids.get('beta-q1/c1')!;
    const test = ids.get('T2/c2')!;
    annotate(db, { cotId: train, stepIdx: 2, value: 1 });
    annotate(db, { cotId: test, stepIdx: 1, value: 0 });
    annotate(db, { cotId: ids.get('M1/c1')!, stepIdx: 0, value: 1 });
    const noJudgement = promoteToMeta(db, { cotIds: [train] });
    expect(noJudgement.skipped).toEqual([{ cotId: train, reason: expect.stringMatching(/no correct\/incorrect label/) }]);
    annotate(db, { cotId: train, value: 0 });

    const r = promoteToMeta(db);
    expect(r).toMatchObject({ domain: 'annotated', promoted: 2, updated: 0, fromTestPool: 1, domainCots: 2, metaPoolCots: before + 2 });
    // alpha-q1/c1 kept a step label from the undo above but was never judged.
    expect(r.skipped).toEqual([
      { cotId: ids.get('alpha-q1/c1')!, reason: expect.stringMatching(/no correct\/incorrect label/) },
      { cotId: ids.get('M1/c1')!, reason: expect.stringMatching(/already in the meta pool/) },
    ]);
    const copies = readPool(db, 'meta', 'correctness').filter((c) => c.domain === 'annotated');
    expect(copies).toHaveLength(2);
    const trainCopy = copies.find((c) => c.question.includes('beta-q1'))!;
    expect(trainCopy).toMatchObject({ correct: 0, labels: [0.75, 1, 1] });
    expect(trainCopy.imageId).not.toBeNull();
    expect(cotView(db, train).promotedTo).toBe(trainCopy.cotId);
    const q = db.prepare('SELECT q.ext_id FROM cots c JOIN questions q ON q.id = c.question_id WHERE c.id = ?').pluck().get(trainCopy.cotId);
    expect(q).toBe('train/beta/beta-q1');

    // Later labels of the original reach its copy; promoting again only brings copies up to date.
    annotate(db, { cotId: train, value: 1 });
    expect(correct(trainCopy.cotId)).toBe(1);
    undoLastAnnotation(db);
    expect(correct(trainCopy.cotId)).toBe(0);
    expect(promoteToMeta(db)).toMatchObject({ promoted: 0, updated: 2, domainCots: 2 });
    expect(() => promoteToMeta(db, { cotIds: [] })).toThrow(/choose at least one CoT/);
    expect(promoteToMeta(db, { cotIds: [424242] }).skipped).toEqual([{ cotId: 424242, reason: 'no such CoT' }]);
  });

  it('counts labels in force and exports the history as JSONL', async () => {
    const s = annotationStats(db, 3);
    expect(s.recorded).toBeGreaterThan(s.undone);
    expect(s.recent).toHaveLength(3);
    expect(s.recent[0].id).toBeGreaterThan(s.recent[1].id);
    expect(s.promoted).toBe(2);
    const live = exportJsonl(db);
    const all = exportJsonl(db, { all: true });
    expect(all.count).toBe(s.recorded);
    expect(live.count).toBe(s.recorded - s.undone);
    const lines = live.jsonl.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(live.count);
    const stepLine = lines.find((l) => l.target === 'step' && l.questionExtId === 'T2')!;
    expect(stepLine).toMatchObject({ domain: 'bench', pool: 'test', step: 1, value: 0, annotator: 'Ada', undoneAt: null, cotExtId: 'c2' });
    expect(stepLine.stepText).toBe('Answer: 3');
    const file = join(dir, 'out', 'annotations.jsonl');
    await expect(exportToFile(db, file)).rejects.toThrow(/cannot write .*annotations\.jsonl/);
    const ok = join(dir, 'annotations.jsonl');
    expect(await exportToFile(db, ok)).toBe(live.count);
    expect(existsSync(ok) && readFileSync(ok, 'utf8')).toBe(live.jsonl);
  });
});
