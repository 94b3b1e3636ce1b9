/**
 * The imported data as plain data: the import vocabulary (pools, formats, options, the import's
 * summary, the canonical JSONL record) and the studio's sources and domains as the API sends
 * them. The store's rows extend these (store/data-store.ts). Declared once, here; these cross
 * process boundaries, so no Node.
 */
import type { BackendSummary } from './training';

export type Pool = 'train' | 'meta' | 'test';
export const POOLS: readonly Pool[] = ['train', 'meta', 'test'];

export type ImportFormat = 'dreamprm-train' | 'dreamprm-meta' | 'visualprm' | 'jsonl';

export interface ImportOptions {
  format?: ImportFormat | 'auto';
  pool?: Pool;
  domain?: string;
  imagesDir?: string;
  strict?: boolean;
  /** what to do when a record disagrees with data already stored (default 'keep') */
  onConflict?: ConflictPolicy;
}

/** keep: the stored data stays and the record is skipped; replace: the file's version replaces it; fail: nothing is written */
export type ConflictPolicy = 'keep' | 'replace' | 'fail';
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['keep', 'replace', 'fail'];

export interface ImportRecordError {
  record: number;
  field: string;
  message: string;
}

export interface ImportSummary {
  /** the data file, as it was given */
  file: string;
  format: ImportFormat;
  records: number;
  imported: number;
  rejected: number;
  questions: number;
  cots: number;
  steps: number;
  /** domain -> number of CoTs imported into it by this call */
  domains: Record<string, number>;
  missingImages: number;
  /** image references refused by the path rule (outside the folders, not a regular file, too big, stalled); each is also an error */
  refusedImages: number;
  errors: ImportRecordError[];
  /**
   * complete: every record was taken or is already stored as it is, and every image was found;
   * partial: something was written but not everything (see skipped, conflicts, missingImages,
   * refusedImages); failed: nothing was written because of a problem (--strict, every record
   * invalid, --on-conflict fail).
   */
  status: ImportStatus;
  /** records not taken, grouped by reason (invalid records, and records in conflict that were kept out) */
  skipped: RecordGroup[];
  /** records that disagree with data already stored, or with an earlier record of the same file, and what was done */
  conflicts: ImportConflict[];
  onConflict: ConflictPolicy;
  /** the first few image references whose file was not found */
  missingImageExamples: { record: number; field: string; path: string }[];
  /** why nothing was imported, when the import was refused (--strict, --on-conflict fail) */
  refusal?: string;
}

export type ImportStatus = 'complete' | 'partial' | 'failed';

/** Records that share a reason: how many, and the first few record numbers (numbered from 1). */
export interface RecordGroup {
  reason: string;
  count: number;
  first: number[];
}

export interface ImportConflict extends RecordGroup {
  kind: 'question' | 'cot';
  /** kept: the stored data stays, the records were skipped; replaced: the file's version is stored now; refused: nothing was written */
  action: 'kept' | 'replaced' | 'refused';
  /** one of them, to look at: the question id, the CoT id, and the two versions (shortened) */
  example: { qid: string; cotId: string | null; stored: string; file: string };
}

export interface ImportProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  records: number;
}

/**
 * One line of the canonical JSONL corpus format (`--format jsonl`): one chain of thought.
 * Relative image paths resolve against the file's folder (or --images).
 */
export interface CanonicalCotRecord {
  /** question id, unique within its domain */
  qid: string;
  question: string;
  images?: string[];
  /** ground-truth answer of the question, when known */
  groundTruth?: string;
  /** the kind of question (e.g. chart reading), for results per task; optional */
  task?: string;
  domain: string;
  /** default: the --pool option, else 'train' */
  pool?: Pool;
  /** CoT id, unique within its question; default: a hash of the steps */
  cotId?: string;
  steps: CanonicalStep[];
  /** the CoT's final answer */
  answer?: string;
  /** whether the final answer is correct (meta and test pools) */
  correct?: boolean;
}

export interface CanonicalStep {
  text: string;
  /** Monte Carlo label in [0,1]: fraction of k rollouts from this prefix that reached the answer */
  m?: number;
  /** number of rollouts behind m */
  k?: number;
  /** human label: 1 (+) or 0 (-); overrides m in training */
  label?: 0 | 1;
  /** precomputed embedding of the step (for the `features` PRM) */
  vector?: number[];
}

/** The studio and its imported data as the API reports them: info(), the data page's lists, import and sample requests. */

export interface StudioInfo {
  version: string;
  dbPath: string;
  /** the tensor backend training uses here, and what a faster one would need */
  backend: BackendSummary;
  /** numbers that tell whether the database holds anything yet */
  counts: { sources: number; domains: number; cots: number; runs: number };
}

/** An imported file as the data page lists it (the store's SourceRow adds its hash and summary). */
export interface SourceInfo {
  id: number;
  path: string;
  format: string;
  pool: Pool;
  importedAt: string;
  cots: number;
  /** image references of this source's questions whose file was missing or unreadable */
  missingImages: number;
}

/** A domain with its label statistics as the data page lists it (the store's DomainStats adds two figures). */
export interface DomainInfo {
  id: number;
  name: string;
  pool: Pool;
  excluded: boolean;
  questions: number;
  cots: number;
  steps: number;
  /** steps that carry a Monte Carlo label */
  labelledSteps: number;
  /** mean Monte Carlo label m over labelled steps, null when none */
  meanLabel: number | null;
  /** steps with a human +/- label */
  humanLabels: number;
  /** CoTs with a correct/incorrect label, and how many of those are correct */
  judgedCots: number;
  correctCots: number;
  /** distinct stored images of the domain's questions */
  images: number;
}

export interface ImportRequest {
  path: string;
  options?: ImportOptions;
  /** chosen by the caller so it can match the import-progress events to its request */
  jobId?: string;
}

export interface SampleRequest {
  seed?: number;
  jobId?: string;
}

export interface SampleResult {
  dir: string;
  summary: ImportSummary;
  /** true when the sample was already in this database and nothing was imported */
  alreadyLoaded: boolean;
}
