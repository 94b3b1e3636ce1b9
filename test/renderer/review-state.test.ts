/** ReviewState: loading an evaluation's review, its place in the address, filters, moving through questions and candidates. */
import { describe, expect, it } from 'vitest';
import type { ReviewCandidate, ReviewItem, ReviewQuestion } from '../../src-main/core/api/types';
import { ReviewState } from '../../src-renderer/src/lib/review-state.svelte';
import type { ReviewPlace } from '../../src-renderer/src/lib/router.svelte';
import { deferred, failing, fakeStudio, type FakeApi } from './fake-studio';
import { cot, evaluationDetail, evaluationSummary, question } from './fixtures';

const item = (questionId: number, benchmark: string, task: string | null): ReviewItem => ({
  questionId,
  benchmark,
  task,
  extId: `Q-${questionId}`,
  chosenCotId: questionId * 10,
  chosenCorrect: false,
  anyCorrect: true,
  otherChosenCotId: null,
  otherChosenCorrect: null,
});

const ITEMS = [item(1, 'charts', 'bars'), item(2, 'charts', 'lines'), item(3, 'maps', 'bars'), item(4, 'maps', null)];
const BY_FILTER = { all: ITEMS, 'wrong-choice': [ITEMS[1], ITEMS[3]], disagree: [ITEMS[2]] };

/** Three candidates with 2, 3 and 1 steps; the second is the one chosen. */
function reviewQuestion(questionId: number): ReviewQuestion {
  const candidates = [2, 3, 1].map(
    (steps, i): ReviewCandidate => ({
      ...cot(questionId * 10 + i, Array.from({ length: steps }, () => ({ mc: 1 }))),
      answerKey: '4',
      stepScores: [],
      score: 0,
      rank: i + 1,
      chosen: i === 1,
      otherChosen: false,
    }),
  );
  return { evaluationId: 7, agg: 'logodds', otherEvaluationId: null, question: question(questionId), candidates };
}

function reviewApi(extra: FakeApi = {}): FakeApi {
  return {
    getEvaluation: async ({ evaluationId }) => evaluationDetail({ evaluationId }),
    listEvaluations: async () => [7, 9, 10].map((evaluationId) => evaluationSummary({ evaluationId })),
    reviewIndex: async ({ evaluationId, filter = 'all', otherEvaluationId = null }) => ({
      evaluationId,
      agg: 'logodds',
      otherEvaluationId,
      total: ITEMS.length,
      items: BY_FILTER[filter],
    }),
    reviewQuestion: async ({ questionId }) => reviewQuestion(questionId),
    ...extra,
  };
}

async function loaded(place: ReviewPlace = {}, extra: FakeApi = {}) {
  const places: ReviewPlace[] = [];
  const studio = fakeStudio(reviewApi(extra));
  const review = new ReviewState(studio.app, 7, place, (p) => places.push(p));
  await review.load();
  return { studio, review, places };
}

describe('ReviewState', () => {
  it('opens on the first question with its chosen candidate, listing the other evaluations to compare with', async () => {
    const { review, places } = await loaded();
    expect(review.evaluation?.evaluationId).toBe(7);
    expect(review.evaluations.map((e) => e.evaluationId)).toEqual([9, 10]);
    expect(review.count).toBe(4);
    expect(review.question?.question.questionId).toBe(1);
    expect([review.candidate, review.step]).toEqual([1, 0]);
    expect(review.benchmarks).toEqual(['charts', 'maps']);
    expect(review.tasks).toEqual(['bars', 'lines']);
    expect(places.at(-1)).toEqual({ q: 1, filter: 'all', other: undefined, benchmark: undefined, task: undefined, group: undefined });
  });

  it('returns to the place in the address: question, filter, compared evaluation, benchmark and grouping', async () => {
    const { studio, review } = await loaded({ q: 4, filter: 'wrong-choice', other: 9, benchmark: 'maps', group: true });
    expect(studio.argsOf('reviewIndex')).toEqual([{ evaluationId: 7, filter: 'wrong-choice', otherEvaluationId: 9 }]);
    expect(review.items.map((i) => i.questionId)).toEqual([4]);
    expect(review.currentQuestionId).toBe(4);
    expect(review.grouped).toBe(true);
  });

  it('drops a compared evaluation that no longer exists, says so, and leaves the disagree filter', async () => {
    const { studio, review } = await loaded({ other: 99, filter: 'disagree' });
    expect(review.otherId).toBeNull();
    expect(review.filter).toBe('all');
    expect(studio.notices()).toEqual(['error: Evaluation #99 to compare with does not exist (any more): showing this one alone.']);
  });

  it('marks a missing evaluation as missing', async () => {
    const { review } = await loaded({}, { getEvaluation: failing('NotFound', 'no evaluation 7') });
    expect(review.missing).toBe('no evaluation 7');
    expect(review.index).toBeNull();
  });

  it('moves through the questions without going past either end', async () => {
    const { review } = await loaded();
    await review.previous();
    expect(review.position).toBe(0);
    await review.go(3);
    await review.next();
    expect(review.currentQuestionId).toBe(4);
    await review.go(1);
    expect(review.question?.question.questionId).toBe(2);
  });

  it('stays on the question shown when a benchmark filter keeps it, and goes to the first kept one when not', async () => {
    const { review, places } = await loaded({ q: 3 });
    await review.setBenchmark('maps');
    expect(review.currentQuestionId).toBe(3);
    await review.setTask('bars');
    expect(review.items.map((i) => i.questionId)).toEqual([3]);
    await review.setBenchmark('charts');
    expect(review.currentQuestionId).toBe(1);
    expect(places.at(-1)).toMatchObject({ q: 1, benchmark: 'charts', task: 'bars' });
  });

  it('compares with the newest other evaluation when asked for disagreements without one', async () => {
    const { studio, review } = await loaded();
    await review.setFilter('disagree');
    expect(review.otherId).toBe(9);
    expect(studio.argsOf('reviewIndex').at(-1)).toEqual({ evaluationId: 7, filter: 'disagree', otherEvaluationId: 9 });
    expect(review.currentQuestionId).toBe(3);
    await review.setOther(null);
    expect(review.filter).toBe('all');
  });

  it('refuses the disagree filter, with a notice, when there is no other evaluation', async () => {
    const { studio, review } = await loaded({}, { listEvaluations: async () => [evaluationSummary({ evaluationId: 7 })] });
    await review.setFilter('disagree');
    expect(review.filter).toBe('all');
    expect(studio.notices()).toEqual(['error: Two runs disagree: evaluate a second run first, to compare its choices with this one.']);
  });

  it('jumps to a question by its id, case-insensitively, widening the filters that hide it', async () => {
    const { review } = await loaded({ filter: 'wrong-choice', benchmark: 'maps' });
    expect(await review.jumpTo(' q-4 ')).toBe(true);
    expect(review.currentQuestionId).toBe(4);
    expect(review.benchmark).toBe('maps');
    expect(await review.jumpTo('Q-2')).toBe(true);
    expect([review.benchmark, review.filter]).toEqual([null, 'wrong-choice']);
    expect(await review.jumpTo('q-1')).toBe(true);
    expect(review.filter).toBe('all');
    expect(review.currentQuestionId).toBe(1);
  });

  it('says when the evaluation has no such question', async () => {
    const { studio, review } = await loaded();
    expect(await review.jumpTo('Q-77')).toBe(false);
    expect(await review.jumpTo('   ')).toBe(false);
    expect(studio.notices()).toEqual(['error: Evaluation #7 has no question “Q-77”.']);
  });

  it('starts a newly chosen candidate at its first step and keeps the step within its steps', async () => {
    const { review } = await loaded();
    review.moveStep(5);
    expect(review.step).toBe(2);
    review.selectCandidate(2);
    expect([review.candidate, review.step]).toEqual([2, 0]);
    review.moveStep(-1);
    expect(review.step).toBe(0);
    review.selectCandidate(3);
    expect(review.candidate).toBe(2);
  });

  it('keeps the candidate and step when the question shown is re-read', async () => {
    const { review } = await loaded();
    review.selectCandidate(0);
    review.moveStep(1);
    await review.reindex();
    expect([review.currentQuestionId, review.candidate, review.step]).toEqual([1, 0, 1]);
  });

  it('shows the last question asked for when answers come back out of order', async () => {
    const slow = deferred<ReviewQuestion>();
    const { review } = await loaded({}, { reviewQuestion: ({ questionId }) => (questionId === 2 ? slow.promise : Promise.resolve(reviewQuestion(questionId))) });
    const first = review.go(1);
    await review.go(2);
    slow.resolve(reviewQuestion(2));
    await first;
    expect(review.question?.question.questionId).toBe(3);
  });

  it('puts a CoT’s new labels into the question shown, leaving the other candidates', async () => {
    const { review } = await loaded();
    const relabelled = cot(11, [{ mc: 1, human: 0 }, { mc: 1 }, { mc: 1 }]);
    review.updateCot(relabelled);
    expect(review.question?.candidates[1].steps[0].human).toBe(0);
    expect(review.question?.candidates[1].chosen).toBe(true);
    expect(review.question?.candidates[0].steps[0].human).toBeNull();
  });

  it('reports grouping to the address', async () => {
    const { review, places } = await loaded();
    review.setGrouped(true);
    expect(places.at(-1)).toMatchObject({ q: 1, group: true });
  });
});
