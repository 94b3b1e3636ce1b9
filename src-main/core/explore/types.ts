/**
 * What the explorer, the review and annotation hand to the API. Plain data only: the renderer
 * typechecks against these types too.
 */

/** Columns the instance explorer can sort by. */
export type InstanceSort = 'idx' | 'weight' | 'change' | 'loss' | 'meanLabel' | 'steps';
export const INSTANCE_SORTS: readonly InstanceSort[] = ['idx', 'weight', 'change', 'loss', 'meanLabel', 'steps'];

export interface ExplorerInfo {
  runId: number;
  /** snapshot step of the weights shown, and of the first snapshot ("cold start") */
  step: number;
  firstStep: number;
  instances: number;
  /** training domains in index order */
  domains: string[];
  builtAt: string;
  /** seconds the last build took */
  buildSeconds: number;
  /** a newer snapshot exists than the one the table was built from (the run is still training) */
  stale: boolean;
  /** the checkpoint step whose PRM computed the loss column, null when losses are unknown */
  lossesStep: number | null;
}

export interface InstanceQuery {
  sort: InstanceSort;
  desc: boolean;
  /** a training domain's name, or null for all */
  domain: string | null;
  minWeight: number | null;
  maxWeight: number | null;
  /** prefix of a question's id or text (case-insensitive), or null */
  search: string | null;
  offset: number;
  limit: number;
}

export interface InstanceRow {
  /** position of the instance in the run's instance order (its snapshot index) */
  idx: number;
  cotId: number;
  questionId: number;
  questionExtId: string;
  /** the first characters of the question */
  questionText: string;
  domain: string;
  weight: number;
  /** weight at the first snapshot (the cold start) */
  weight0: number;
  change: number;
  /** the PRM's step loss on this instance, when computed; null otherwise */
  loss: number | null;
  /** mean step label (human over m), null when no step is labelled */
  meanLabel: number | null;
  steps: number;
}

export interface InstancePage {
  rows: InstanceRow[];
  /** rows matching the filters, when asked for (counting costs a scan of the index) */
  total: number | null;
  /** a search matched more questions than are searched; type more of the prefix */
  searchTruncated: boolean;
}

export interface DomainHistogram {
  domain: string;
  instances: number;
  meanWeight: number;
  counts: number[];
}

export interface DomainHistograms {
  step: number;
  /** shared equal-width bins over every instance's weight */
  edges: number[];
  domains: DomainHistogram[];
}

/** Where a step's label comes from, most trusted first. */
export type LabelSource = 'human' | 'monte-carlo' | 'dataset' | 'none';

export interface LabelledStep {
  idx: number;
  text: string;
  /** Monte Carlo m in [0,1] (k rollouts), or a dataset label (m 0/1 without k) */
  mc: number | null;
  k: number | null;
  /** human +/- label (1/0), null when none */
  human: 0 | 1 | null;
  /** who gave the human label and when, from the annotation history */
  humanBy: string | null;
  humanAt: string | null;
  /** the label training uses: human over m */
  source: LabelSource;
}

export interface CotView {
  cotId: number;
  extId: string;
  answer: string | null;
  correct: boolean | null;
  /** the correctness came from a human annotation (who), null when from the data */
  correctBy: string | null;
  steps: LabelledStep[];
  /** the id of its copy in the meta pool, when promoted */
  promotedTo: number | null;
}

export interface QuestionView {
  questionId: number;
  extId: string;
  domain: string;
  pool: 'train' | 'meta' | 'test';
  text: string;
  answer: string | null;
  /** stored images in order (fetch by id) */
  imageIds: number[];
  /** images referenced but missing at import */
  missingImages: number;
}

export interface InstanceDetail {
  row: InstanceRow;
  question: QuestionView;
  cot: CotView;
  /** the instance's weight at every snapshot of the run (at most 120, evenly spaced, first and last kept) */
  trajectory: { step: number; weight: number }[];
}

export interface CotScores {
  cotId: number;
  runId: number;
  /** the checkpoint step of the PRM that scored */
  step: number;
  /** p_t per step */
  scores: number[];
}

/** Which questions of an evaluation the review walks through. */
export type ReviewFilter = 'all' | 'wrong-choice' | 'disagree';
export const REVIEW_FILTERS: readonly ReviewFilter[] = ['all', 'wrong-choice', 'disagree'];

export interface ReviewItem {
  questionId: number;
  benchmark: string;
  /** the question's task, where the data gives one */
  task: string | null;
  extId: string;
  chosenCotId: number;
  /** the chosen candidate's correctness now (a human may have corrected it since) */
  chosenCorrect: boolean | null;
  /** some candidate of the question is correct */
  anyCorrect: boolean;
  /** the other evaluation's choice, when one is compared */
  otherChosenCotId: number | null;
  otherChosenCorrect: boolean | null;
}

export interface ReviewIndex {
  evaluationId: number;
  agg: string;
  otherEvaluationId: number | null;
  /** questions of the evaluation, before the filter */
  total: number;
  items: ReviewItem[];
}

export interface ReviewCandidate extends CotView {
  /** the final answer as votes count it (normalised: case, spacing, number format); '' when none */
  answerKey: string;
  /** p_t per step from the evaluation */
  stepScores: number[];
  /** the aggregate of stepScores under the review's aggregation */
  score: number;
  /** rank by score, 1 = best */
  rank: number;
  chosen: boolean;
  otherChosen: boolean;
}

export interface ReviewQuestion {
  evaluationId: number;
  agg: string;
  otherEvaluationId: number | null;
  question: QuestionView;
  candidates: ReviewCandidate[];
}
