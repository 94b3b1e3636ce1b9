/**
 * Evaluation results as plain data: what the engine computes, the store keeps, the API sends
 * and the renderer draws. Declared once, here.
 */
import type { BackendChoice } from './training';

/** How a CoT's step scores become one score (ALGORITHM.md "Upper level" and "Test-time scaling"). */
export const AGGREGATIONS = ['mean', 'logodds', 'min', 'max', 'prod', 'last'] as const;
export type AggName = (typeof AGGREGATIONS)[number];

export function isAggName(s: string): s is AggName {
  return (AGGREGATIONS as readonly string[]).includes(s);
}

/**
 * How one answer is chosen from a question's candidates (see core/eval/selection.ts):
 * PRM-weighted vote (the default), PRM argmax (the papers' best-of-N), majority vote.
 */
export const SELECTION_MODES = ['weighted-vote', 'argmax', 'majority'] as const;
export type SelectionMode = (typeof SELECTION_MODES)[number];
/** Fixed before any test result was looked at; see the README ("Evaluation"). */
export const DEFAULT_SELECTION: SelectionMode = 'weighted-vote';

/** Accuracy against the number of candidates N (the papers' "number of CoTs" figure), in %. */
export interface AccuracyByN {
  n: number[];
  majority: number[];
  argmax: number[];
  weightedVote: number[];
  oracle: number[];
}

/** Best-of-N figures of one group of test questions (a benchmark, a task, or the average). */
export interface BenchmarkResult {
  /** the benchmark's (or task's) name, or 'average' */
  benchmark: string;
  questions: number;
  candidates: number;
  /** all figures in percent */
  passAt1: number;
  /** majority vote over normalised final answers */
  selfConsistency: number;
  oracle: number;
  /** PRM argmax (the papers' best-of-N) under each aggregation */
  bon: Record<AggName, number>;
  /** PRM-weighted vote under each aggregation (absent in evaluations stored before it existed) */
  weightedVote?: Record<AggName, number>;
  /** step-level AUROC of p_t against step labels, where the test pool has them */
  stepAuroc: number | null;
  /** under the evaluation's aggregation (absent in evaluations stored before it existed) */
  byN?: AccuracyByN;
}

/** The accuracy a selection mode reaches under an aggregation, or null if not recorded. */
export function accuracyOf(r: BenchmarkResult, mode: SelectionMode, agg: AggName): number | null {
  if (mode === 'majority') return r.selfConsistency;
  if (mode === 'argmax') return r.bon[agg];
  return r.weightedVote?.[agg] ?? null;
}

/** An evaluation in a list: what the store reads of the evaluations table and the API sends. */
export interface EvaluationSummary {
  evaluationId: number;
  runId: number | null;
  label: string;
  /** the aggregation reported first, whose choices the review opens on */
  agg: AggName;
  createdAt: string;
  seconds: number;
}

/** An evaluation as the engine reports it and the store keeps it (evaluations.report); the row adds createdAt. */
export interface EvaluationReport extends Omit<EvaluationSummary, 'createdAt'> {
  /** the selection mode the headline figures use (absent in evaluations stored before modes) */
  selection?: SelectionMode;
  benchmarks: BenchmarkResult[];
  /** unweighted mean over benchmarks, as the papers report */
  average: BenchmarkResult;
  /** the same figures per task, where the test questions say their task (else empty) */
  tasks?: BenchmarkResult[];
  skippedCandidates: number;
}

/** An evaluation as the API sends it: the stored report, its row, and the domain-weight check. */
export interface EvaluationDetail
  extends EvaluationSummary, Pick<EvaluationReport, 'benchmarks' | 'average' | 'skippedCandidates'> {
  /** the selection mode the headline figures use (weighted vote; null before modes existed) */
  selection: SelectionMode | null;
  /** per task, where the test questions say their task (empty when they do not) */
  tasks: BenchmarkResult[];
  /** learned domain weights against the sample's known domain quality, when it is known */
  truth: {
    truthFile: string;
    spearman: number | null;
    domains: { domain: string; weight: number; quality: number }[];
  } | null;
  /** what computed the scores (backend, and GPU or CPU name): only from evaluateRun, not stored */
  backend?: string;
  device?: string;
}

export interface EvaluateRequest {
  runId: number;
  agg?: string;
  /** chosen by the caller to match eval-progress events to its request */
  jobId?: string;
  /** the tensor backend to score with (default auto) */
  backend?: BackendChoice;
}
