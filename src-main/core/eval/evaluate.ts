import { AGGREGATIONS, aggregate, type AggName } from '../engine/aggregate';
import type { StepScorer } from '../engine/scoring';
import type { Db } from '../store/db';
import { saveEvaluation } from '../store/eval-store';
import { UserError } from '../errors';
import { argmax } from './metrics';
import type { EvaluationReport } from '../../../src-shared/evaluation';
import { averageOf, groupResult, type BenchmarkResult } from './results';
import { DEFAULT_SELECTION } from './selection';
import { loadTestPool, type TestQuestion } from './test-pool';

export type { StepScorer, BenchmarkResult, EvaluationReport };

export interface EvaluateOptions {
  runId: number | null;
  label: string;
  /** the aggregation reported first and used for the stored choice the review opens on */
  agg?: AggName;
  scorer: StepScorer;
  onProgress?: (done: number, total: number) => void;
}

/** Scores every test candidate, computes best-of-N per benchmark and task, and stores it all. */
export async function evaluate(db: Db, opts: EvaluateOptions): Promise<EvaluationReport> {
  const started = performance.now();
  const agg = opts.agg ?? 'logodds';
  const { questions, skipped } = loadTestPool(db);
  if (!questions.length) {
    throw new UserError(
      'the test pool has no candidates with a correctness label: import a test set (--pool test) first, e.g. `dreamprm sample --import`',
    );
  }
  const scores = await scoreAll(questions, opts);
  const groups = (key: (q: TestQuestion) => string | null) =>
    [...new Set(questions.map(key).filter((k): k is string => k !== null))]
      .sort()
      .map((name) => groupResult(name, questions.filter((q) => key(q) === name), scores, agg));
  const benchmarks = groups((q) => q.benchmark);
  const report: Omit<EvaluationReport, 'evaluationId'> = {
    runId: opts.runId,
    label: opts.label,
    agg,
    selection: DEFAULT_SELECTION,
    benchmarks,
    average: averageOf(benchmarks),
    tasks: groups((q) => q.task),
    skippedCandidates: skipped,
    seconds: (performance.now() - started) / 1000,
  };
  const candidates = questions.flatMap((q) =>
    q.candidates.map((c) => {
      const stepScores = scores.get(c.cotId)!;
      return { cotId: c.cotId, questionId: q.questionId, stepScores, score: aggregate(agg, stepScores) };
    }),
  );
  const evaluationId = saveEvaluation(db, report, candidates, storedChoices(questions, scores));
  return { evaluationId, ...report };
}

/** Each aggregation's argmax pick per question (first on ties): what the review opens on. */
function storedChoices(questions: TestQuestion[], scores: Map<number, Float32Array>) {
  return questions.flatMap((q) =>
    AGGREGATIONS.map((a) => {
      const pick = q.candidates[argmax(q.candidates.map((c) => aggregate(a, scores.get(c.cotId)!)))];
      return { questionId: q.questionId, agg: a, cotId: pick.cotId, correct: pick.correct };
    }),
  );
}

async function scoreAll(questions: TestQuestion[], opts: EvaluateOptions): Promise<Map<number, Float32Array>> {
  const cotIds = questions.flatMap((q) => q.candidates.map((c) => c.cotId));
  const scores = new Map<number, Float32Array>();
  const chunk = 512;
  for (let i = 0; i < cotIds.length; i += chunk) {
    const ids = cotIds.slice(i, i + chunk);
    const probs = await opts.scorer(ids);
    ids.forEach((id, j) => scores.set(id, probs[j]));
    opts.onProgress?.(Math.min(i + chunk, cotIds.length), cotIds.length);
  }
  return scores;
}
