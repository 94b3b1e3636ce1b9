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
