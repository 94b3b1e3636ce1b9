import type { RunStatus } from '../store/runs-store';
import type { BackendRequest } from './tf-backend';
import type { RunProgress } from '../../../src-shared/runs';

/** Live progress of a run, as the worker streams it to its caller (one shape for every layer). */
export type { RunProgress };

export interface RunOutcome {
  runId: number;
  method: string;
  status: Exclude<RunStatus, 'running' | 'interrupted'>;
  backend: string;
  /** what computed (GPU name, WebGPU adapter, CPU), and why not the backend asked for */
  device?: string;
  fallback?: string | null;
  steps: number;
  seconds: number;
  trainLoss: number | null;
  metaLoss: number | null;
  domainWeights: Record<string, number>;
  error: string | null;
}

export interface TrainHooks {
  onProgress?: (p: RunProgress) => void;
  /** polled every step: an in-process cancel (the database flag is polled too) */
  shouldCancel?: () => boolean;
  log?: (m: string) => void;
  /** a key identifying the database, for the decoded-image cache */
  dbKey?: string;
  backend?: BackendRequest;
  /** tests: throw right after the checkpoint of this step is written (a simulated crash) */
  crashAfterCheckpoint?: number;
  /** tests: replace the train loss at this step with NaN */
  injectNaNAt?: number;
}

/** What crashAfterCheckpoint throws: trainRun lets it through, leaving the run as a crash would. */
export class SimulatedCrash extends Error {}
