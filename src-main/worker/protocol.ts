import type { BackendRequest } from '../core/engine/tf-backend';
import type { RunOutcome, RunProgress } from '../core/engine/trainer-types';
import type { ModelJob, ScoreResult } from './model-jobs';
import type { RunEvaluation } from '../core/eval/run-eval';

/** Messages between TrainingHost (caller's thread) and the training worker. */
export type HostMessage =
  | { type: 'run'; runId: number; backend: BackendRequest }
  | { type: 'cancel'; runId: number }
  /** a job with a trained PRM (evaluate, score); runs before queued training runs */
  | { type: 'job'; jobId: number; job: ModelJob; backend: BackendRequest }
  | { type: 'shutdown' };

export type WorkerMessage =
  | { type: 'progress'; progress: RunProgress }
  | { type: 'done'; outcome: RunOutcome }
  | { type: 'error'; runId: number; message: string }
  | { type: 'log'; message: string }
  | { type: 'job-progress'; jobId: number; done: number; total: number }
  | { type: 'job-done'; jobId: number; result: RunEvaluation | ScoreResult }
  | { type: 'job-error'; jobId: number; message: string };

export interface WorkerInit {
  dbPath: string;
}
