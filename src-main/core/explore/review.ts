/**
 * The CoT review of an evaluation: its questions (filtered to where the PRM chose wrong while a
 * correct candidate existed, or where two evaluations chose differently) and one question with
 * all its candidates, their per-step scores, aggregates and the choice.
 */
import { aggregate, isAggName, AGGREGATIONS, type AggName } from '../engine/aggregate';
import { NotFoundError, UserError } from '../errors';
import { normaliseAnswer } from '../eval/answers';
import type { Db } from '../store/db';
import { blobToFloats, getEvaluation } from '../store/eval-store';
import { cotViews, questionView } from './cot-view';
import type { ReviewCandidate, ReviewFilter, ReviewIndex, ReviewItem, ReviewQuestion } from './types';

export interface ReviewOptions {
  /** default: the evaluation's own aggregation */
  agg?: string;
  otherEvaluationId?: number | null;
}

function resolve(db: Db, evaluationId: number, opts: ReviewOptions): { agg: AggName; other: number | null } {
  const report = getEvaluation(db, evaluationId);
  if (!report) throw new NotFoundError(`no evaluation with id ${evaluationId}`);
  const agg = opts.agg ?? report.agg;
  if (!isAggName(agg)) throw new UserError(`unknown aggregation "${agg}": use one of ${AGGREGATIONS.join(', ')}`);
  const other = opts.otherEvaluationId ?? null;
  if (other !== null && !getEvaluation(db, other)) throw new NotFoundError(`no evaluation with id ${other} to compare with`);
  return { agg, other };
}

interface ItemDb {
  questionId: number;
  benchmark: string;
  task: string | null;
  extId: string;
  chosenCotId: number;
  chosenCorrect: number | null;
  anyCorrect: number | null;
  otherChosenCotId: number | null;
  otherChosenCorrect: number | null;
}

const bool = (x: number | null): boolean | null => (x === null ? null : x === 1);

export function reviewIndex(db: Db, evaluationId: number, filter: ReviewFilter, opts: ReviewOptions = {}): ReviewIndex {
  const { agg, other } = resolve(db, evaluationId, opts);
  if (filter === 'disagree' && other === null) {
    throw new UserError('the "two runs disagree" filter needs a second evaluation to compare with');
  }
  const rows = db
    .prepare(
      `SELECT ch.question_id AS questionId, d.name AS benchmark, q.task, q.ext_id AS extId, ch.chosen_cot_id AS chosenCotId,
              c.correct AS chosenCorrect,
              (SELECT max(c2.correct) FROM eval_candidates ec JOIN cots c2 ON c2.id = ec.cot_id
                WHERE ec.evaluation_id = ch.evaluation_id AND ec.question_id = ch.question_id) AS anyCorrect,
              o.chosen_cot_id AS otherChosenCotId, oc.correct AS otherChosenCorrect
         FROM eval_choices ch
         JOIN questions q ON q.id = ch.question_id
         JOIN domains d ON d.id = q.domain_id
         JOIN cots c ON c.id = ch.chosen_cot_id
         LEFT JOIN eval_choices o ON o.evaluation_id = :other AND o.question_id = ch.question_id AND o.agg = ch.agg
         LEFT JOIN cots oc ON oc.id = o.chosen_cot_id
        WHERE ch.evaluation_id = :evaluationId AND ch.agg = :agg
        ORDER BY d.name, ch.question_id`,
    )
    .all({ evaluationId, agg, other }) as ItemDb[];
  const items: ReviewItem[] = rows.map((r) => ({
    ...r,
    chosenCorrect: bool(r.chosenCorrect),
    anyCorrect: r.anyCorrect === 1,
    otherChosenCorrect: bool(r.otherChosenCorrect),
  }));
  const keep = (i: ReviewItem): boolean => {
    if (filter === 'wrong-choice') return i.chosenCorrect === false && i.anyCorrect;
    if (filter === 'disagree') return i.otherChosenCotId !== null && i.otherChosenCotId !== i.chosenCotId;
    return true;
  };
  return { evaluationId, agg, otherEvaluationId: other, total: items.length, items: items.filter(keep) };
}

export function reviewQuestion(db: Db, evaluationId: number, questionId: number, opts: ReviewOptions = {}): ReviewQuestion {
  const { agg, other } = resolve(db, evaluationId, opts);
  const cands = db
    .prepare(
      `SELECT cot_id AS cotId, step_scores AS stepScores FROM eval_candidates
        WHERE evaluation_id = ? AND question_id = ? ORDER BY cot_id`,
    )
    .all(evaluationId, questionId) as { cotId: number; stepScores: Buffer }[];
  if (!cands.length) throw new NotFoundError(`evaluation ${evaluationId} has no candidates for question ${questionId}`);
  const chosenOf = db.prepare('SELECT chosen_cot_id FROM eval_choices WHERE evaluation_id = ? AND question_id = ? AND agg = ?').pluck();
  const chosen = chosenOf.get(evaluationId, questionId, agg) as number | undefined;
  const otherChosen = other === null ? undefined : (chosenOf.get(other, questionId, agg) as number | undefined);
  const views = new Map(cotViews(db, cands.map((c) => c.cotId)).map((v) => [v.cotId, v]));
  const scored = cands.flatMap((c) => {
    const view = views.get(c.cotId);
    if (!view) return [];
    const stepScores = Array.from(blobToFloats(c.stepScores));
    return [{ ...view, answerKey: normaliseAnswer(view.answer), stepScores, score: aggregate(agg, stepScores) }];
  });
  const ranks = new Map([...scored].sort((a, b) => b.score - a.score).map((c, i) => [c.cotId, i + 1]));
  const candidates: ReviewCandidate[] = scored.map((c) => ({
    ...c,
    rank: ranks.get(c.cotId)!,
    chosen: c.cotId === chosen,
    otherChosen: c.cotId === otherChosen,
  }));
  return { evaluationId, agg, otherEvaluationId: other, question: questionView(db, questionId), candidates };
}
