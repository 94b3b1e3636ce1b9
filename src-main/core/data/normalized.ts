import type { Pool } from '../types';

/** An image reference as written in the record, and the field it came from (for errors). */
export interface ImageRef {
  path: string;
  field: string;
}

/** A step as the store keeps it: mc/k is the Monte Carlo label, human a +/- override. */
export interface NormalizedStep {
  text: string;
  mc: number | null;
  k: number | null;
  human: 0 | 1 | null;
  vector: number[] | null;
}

/** One chain of thought in every format's common shape, ready to be staged. */
export interface NormalizedCot {
  /** the input records that make up this CoT (one, except for dreamprm-train rows) */
  records: number[];
  domain: string;
  pool: Pool;
  qid: string;
  question: string;
  groundTruth: string | null;
  /** the kind of question, when the data says (canonical `task`) */
  task: string | null;
  images: ImageRef[];
  /** an id given by the data, else null: the CoT is then keyed by a hash of its content */
  cotId: string | null;
  steps: NormalizedStep[];
  answer: string | null;
  correct: boolean | null;
}

/** What a format adapter knows besides the record itself. */
export interface AdaptContext {
  record: number;
  /** --pool, when given */
  pool?: Pool;
  /** --domain, when given: overrides the record's own domain */
  domain?: string;
  /** the input file's name without extension, a fallback domain for formats that have none */
  fileStem: string;
}
