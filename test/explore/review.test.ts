import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewIndex, reviewQuestion } from '../../src-main/core/explore/review';
import type { Db } from '../../src-main/core/store/db';
import { corpusDb, cotIdsByName, fakeEvaluation } from './helpers';

describe('the CoT review of an evaluation', () => {
  let dir: string;
  let db: Db;
  let ids: Map<string, number>;
  let first: number;
  let second: number;
  const qid = (ext: string) => db.prepare(`SELECT id FROM questions WHERE ext_id = ?`).pluck().get(ext) as number;

  beforeAll(async () => {
    ({ dir, db } = await corpusDb());
    ids = cotIdsByName(db);
    // The first PRM picks the correct c2 on T1 but the wrong c3 on T2; the second picks c1 on T1.
    first = (await fakeEvaluation(db, [ids.get('T1/c2')!, ids.get('T2/c3')!, ids.get('T3/c1')!], 'first')).evaluationId;
    second = (await fakeEvaluation(db, [ids.get('T1/c1')!, ids.get('T2/c3')!, ids.get('T3/c1')!], 'second')).evaluationId;
  });

  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every question with its choice and whether a correct candidate existed', () => {
    const all = reviewIndex(db, first, 'all');
    expect(all).toMatchObject({ evaluationId: first, agg: 'mean', otherEvaluationId: null, total: 3 });
    expect(all.items.map((i) => [i.extId, i.chosenCorrect, i.anyCorrect])).toEqual([
      ['T1', true, true],
      ['T2', false, true],
      ['T3', false, false],
    ]);
  });

  it('filters to where the PRM chose wrong while a correct candidate existed', () => {
    expect(reviewIndex(db, first, 'wrong-choice').items.map((i) => i.extId)).toEqual(['T2']);
  });

  it('filters to where two evaluations chose differently', () => {
    const d = reviewIndex(db, first, 'disagree', { otherEvaluationId: second });
    expect(d.items.map((i) => [i.extId, i.chosenCotId, i.otherChosenCotId, i.otherChosenCorrect])).toEqual([
      ['T1', ids.get('T1/c2'), ids.get('T1/c1'), false],
    ]);
  });

  it('shows one question with every candidate, its step scores, aggregate, rank and the choices', () => {
    const r = reviewQuestion(db, first, qid('T1'), { otherEvaluationId: second });
    expect(r.question).toMatchObject({ extId: 'T1', domain: 'bench', pool: 'test', answer: '3', missingImages: 0 });
    expect(r.question.imageIds).toHaveLength(1);
    expect(r.candidates.map((c) => c.extId)).toEqual(['c1', 'c2', 'c3']);
    const [c1, c2, c3] = r.candidates;
    expect(c2).toMatchObject({ chosen: true, otherChosen: false, correct: true, answer: '3', rank: 1 });
    expect(c1).toMatchObject({ chosen: false, otherChosen: true, correct: false });
    expect(c2.stepScores).toEqual([expect.closeTo(0.9, 5), expect.closeTo(0.9, 5)]);
    expect(c2.score).toBeCloseTo(0.9, 5);
    expect(c3.score).toBeCloseTo(0.3, 5);
    // Test-pool step labels are dataset labels (m 0/1 without k).
    expect(c3.steps.map((s) => [s.mc, s.k, s.source])).toEqual([
      [1, null, 'dataset'],
      [0, null, 'dataset'],
    ]);
    // Under another aggregation the stored choice for it is shown.
    expect(reviewQuestion(db, first, qid('T1'), { agg: 'min' }).agg).toBe('min');
  });

  it('refuses what it cannot show, naming it', () => {
    expect(() => reviewIndex(db, 999, 'all')).toThrow(/no evaluation with id 999/);
    expect(() => reviewIndex(db, first, 'disagree')).toThrow(/needs a second evaluation/);
    expect(() => reviewIndex(db, first, 'all', { agg: 'median' })).toThrow(/unknown aggregation "median"/);
    expect(() => reviewIndex(db, first, 'all', { otherEvaluationId: 998 })).toThrow(/no evaluation with id 998 to compare with/);
    expect(() => reviewQuestion(db, first, qid('alpha-q1'))).toThrow(/has no candidates for question/);
  });
});
