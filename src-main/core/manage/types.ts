/**
 * Managing stored data as the API hands it out: what a deletion takes with it, a domain's
 * questions outside any run, the runs table's figures. Plain data only: the renderer
 * typechecks against these types too.
 */
import type { AggName, SelectionMode } from '../../../src-shared/evaluation';
import type { RunRole } from '../../../src-shared/runs';
import type { CotView, QuestionView } from '../explore/types';

/** What can be deleted: an import (its source file's CoTs), a domain, a run, an evaluation. */
export type DeletionKind = 'source' | 'domain' | 'run' | 'evaluation';
export const DELETION_KINDS: readonly DeletionKind[] = ['source', 'domain', 'run', 'evaluation'];

export interface DeletionTarget {
  kind: DeletionKind;
  id: number;
}

/** One kind of row a deletion removes, with how many. */
export interface DeletionCount {
  what: string;
  count: number;
}

/** What a deletion would take with it, before it is confirmed. */
export interface DeletionPlan {
  target: DeletionTarget;
  /** how the user knows it: a file name, "charts (train pool)", "run 3 · name", "evaluation 7 of run 3" */
  name: string;
  /** what goes, in a fixed order; kinds with none are left out */
  removes: DeletionCount[];
  /** what stays but is affected (runs trained on the data, runs started from the run) */
  notes: string[];
  /** why it cannot be deleted now (and what to do), or null */
  refusal: string | null;
}

export interface DeletionResult {
  target: DeletionTarget;
  name: string;
  removed: DeletionCount[];
}

/** One question of a domain, as the domain browser lists it. */
export interface BrowseItem {
  questionId: number;
  extId: string;
  /** the first characters of the question */
  text: string;
  answer: string | null;
  task: string | null;
  cots: number;
  /** the first stored image (for a thumbnail), or null */
  imageId: number | null;
}

export interface BrowsePage {
  domainId: number;
  domain: string;
  pool: 'train' | 'meta' | 'test';
  /** questions matching the search */
  total: number;
  items: BrowseItem[];
}

/** A question of any pool with every CoT, outside a run (no PRM scores). */
export interface BrowseQuestion {
  question: QuestionView;
  task: string | null;
  cots: CotView[];
}

/** A run's latest evaluation in one figure each, in percent. */
export interface RunResult {
  evaluationId: number;
  agg: AggName;
  /** the selection mode `bestOfN` uses (the default, PRM-weighted vote) */
  selection: SelectionMode;
  /** average accuracy under that selection; null for evaluations stored before it existed */
  bestOfN: number | null;
  majority: number;
  passAt1: number;
  oracle: number;
}

/** One row of the runs table: what the run is, its latest best-of-N and its gain over the matched baseline. */
export interface RunOverview {
  runId: number;
  role: RunRole;
  /** the run it started from (its cold start), when any */
  coldStartFrom: number | null;
  /** the user's tags */
  tags: string[];
  result: RunResult | null;
  /**
   * The compute-matched baseline: a completed uniform run from the same cold start with the
   * same steps (same seed preferred), and this run's difference from it under the same
   * aggregation and selection; null when there is none or either lacks an evaluation.
   */
  baseline: { runId: number; bestOfN: number | null; delta: number | null } | null;
}
