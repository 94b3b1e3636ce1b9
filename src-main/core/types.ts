/** Shared domain vocabulary of the core. Plain data only: these cross process boundaries. */

export type Pool = 'train' | 'meta' | 'test';
export const POOLS: readonly Pool[] = ['train', 'meta', 'test'];

export type ImportFormat = 'dreamprm-train' | 'dreamprm-meta' | 'visualprm' | 'jsonl';

export interface ImportOptions {
  format?: ImportFormat | 'auto';
  pool?: Pool;
  domain?: string;
  imagesDir?: string;
  strict?: boolean;
}

export interface ImportRecordError {
  record: number;
  field: string;
  message: string;
}

export interface ImportSummary {
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
  errors: ImportRecordError[];
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
