import { AGGREGATIONS, aggregate, type AggName } from '../engine/aggregate';
import type { StepScorer } from '../engine/scoring';
import type { Db } from '../store/db';
import { saveEvaluation } from '../store/eval-store';
import { UserError } from '../errors';
import { argmax, auroc, mean, oracle, passAt1, selfConsistency } from './metrics';
import { loadTestPool, type TestQuestion } from './test-pool';

export type { StepScorer };

export interface BenchmarkResult {
  benchmark: string;
  questions: number;
  candidates: number;
  /** all figures in percent */
  passAt1: number;
  selfConsistency: number;
  oracle: number;
  /** best-of-N accuracy of the PRM under each aggregation */
  bon: Record<AggName, number>;
  /** step-level AUROC of p_t against step labels, where the test pool has them */
  stepAuroc: number | null;
}

export interface EvaluationReport {
  evaluationId: number;
  runId: number | null;
  label: string;
  agg: AggName;
  benchmarks: BenchmarkResult[];
  /** unweighted mean over benchmarks, as the papers report */
  average: BenchmarkResult;
  skippedCandidates: number;
  seconds: number;
}

export interface EvaluateOptions {
  runId: number | null;
  label: string;
  /** the aggregation reported first and used for the stored choice the review opens on */
  agg?: AggName;
  scorer: StepScorer;
  onProgress?: (done: number, total: number) => void;
}

const pct = (x: number) => Math.round(x * 10000) / 100;

/** Scores every test candidate, computes best-of-N per benchmark, and stores it all. */
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
  const benchmarks = [...new Set(questions.map((q) => q.benchmark))].sort();
  const choices: { questionId: number; agg: AggName; cotId: number; correct: boolean }[] = [];
  const results = benchmarks.map((benchmark) => {
    const qs = questions.filter((q) => q.benchmark === benchmark);
    const bon = {} as Record<AggName, number>;
    for (const a of AGGREGATIONS) {
      bon[a] = pct(
        mean(
          qs.map((q) => {
            const pick = q.candidates[argmax(q.candidates.map((c) => aggregate(a, scores.get(c.cotId)!)))];
            choices.push({ questionId: q.questionId, agg: a, cotId: pick.cotId, correct: pick.correct });
            return pick.correct ? 1 : 0;
          }),
        ),
      );
    }
    return {
      benchmark,
      questions: qs.length,
      candidates: qs.reduce((n, q) => n + q.candidates.length, 0),
      passAt1: pct(mean(qs.map((q) => passAt1(q.candidates)))),
      selfConsistency: pct(mean(qs.map((q) => selfConsistency(q.candidates)))),
      oracle: pct(mean(qs.map((q) => oracle(q.candidates)))),
      bon,
      stepAuroc: stepAuroc(qs, scores),
    } satisfies BenchmarkResult;
  });
  const average = averageOf(results);
  const seconds = (performance.now() - started) / 1000;
  const report: Omit<EvaluationReport, 'evaluationId'> = {
    runId: opts.runId,
    label: opts.label,
    agg,
    benchmarks: results,
    average,
    skippedCandidates: skipped,
    seconds,
  };
  const evaluationId = saveEvaluation(db, report, questions, scores, choices);
  return { evaluationId, ...report };
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

function stepAuroc(qs: TestQuestion[], scores: Map<number, Float32Array>): number | null {
  const s: number[] = [];
  const y: boolean[] = [];
  for (const q of qs)
    for (const c of q.candidates) {
      const p = scores.get(c.cotId)!;
      c.stepLabels.forEach((label, t) => {
        if (label != null && t < p.length) {
          s.push(p[t]);
          y.push(label);
        }
      });
    }
  const a = auroc(s, y);
  return Number.isNaN(a) ? null : Math.round(a * 10000) / 10000;
}

function averageOf(results: BenchmarkResult[]): BenchmarkResult {
  const avg = (f: (r: BenchmarkResult) => number) => Math.round(mean(results.map(f)) * 100) / 100;
  const bon = {} as Record<AggName, number>;
  for (const a of AGGREGATIONS) bon[a] = avg((r) => r.bon[a]);
  const aurocs = results.map((r) => r.stepAuroc).filter((x): x is number => x != null);
  return {
    benchmark: 'average',
    questions: results.reduce((n, r) => n + r.questions, 0),
    candidates: results.reduce((n, r) => n + r.candidates, 0),
    passAt1: avg((r) => r.passAt1),
    selfConsistency: avg((r) => r.selfConsistency),
    oracle: avg((r) => r.oracle),
    bon,
    stepAuroc: aurocs.length ? Math.round(mean(aurocs) * 10000) / 10000 : null,
  };
}
