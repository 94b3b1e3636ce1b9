/** The typed API's best-of-N evaluations of a run's PRM on the test pool. */
import type { AggName, BenchmarkResult, SelectionMode } from '../../../src-shared/evaluation';

/** One benchmark's row of an evaluation; every figure in percent except the AUROC. */
/** A benchmark's (or task's, or the average's) best-of-N figures: the engine's own type. */
export type BenchmarkRow = BenchmarkResult;

export interface EvaluationSummary {
  evaluationId: number;
  runId: number | null;
  label: string;
  /** the aggregation reported first, whose choices the review opens on */
  agg: AggName;
  createdAt: string;
  seconds: number;
}

export interface EvaluationDetail extends EvaluationSummary {
  /** the selection mode the headline figures use (weighted vote; absent before modes existed) */
  selection: SelectionMode | null;
  benchmarks: BenchmarkRow[];
  /** the unweighted mean over benchmarks */
  average: BenchmarkRow;
  /** per task, where the test questions say their task */
  tasks: BenchmarkRow[];
  skippedCandidates: number;
  /** learned domain weights against the sample's known domain quality, when it is known */
  truth: {
    truthFile: string;
    spearman: number | null;
    domains: { domain: string; weight: number; quality: number }[];
  } | null;
}

export interface EvaluateRequest {
  runId: number;
  agg?: string;
  /** chosen by the caller to match eval-progress events to its request */
  jobId?: string;
}
