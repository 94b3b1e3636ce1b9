/**
 * The typed API's view of the studio and its imported data: what info() reports, the sources
 * and domains the data page lists, and the import and sample requests.
 */
import type { ImportOptions, ImportSummary, Pool } from '../types';
import type { BackendInfo } from './runs-types';

export interface StudioInfo {
  version: string;
  dbPath: string;
  /** the tensor backend training uses here, and what a faster one would need */
  backend: BackendInfo;
  /** numbers that tell whether the database holds anything yet */
  counts: { sources: number; domains: number; cots: number; runs: number };
}

export interface SourceInfo {
  id: number;
  path: string;
  format: string;
  pool: Pool;
  importedAt: string;
  cots: number;
  missingImages: number;
}

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
