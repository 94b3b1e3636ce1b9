import type { BackendRequest } from '../core/engine/tf-backend';
import type { RunOutcome, RunProgress } from '../core/engine/trainer';

/** Messages between TrainingHost (caller's thread) and the training worker. */
export type HostMessage =
  | { type: 'run'; runId: number; backend: BackendRequest }
  | { type: 'cancel'; runId: number }
  | { type: 'shutdown' };

export type WorkerMessage =
  | { type: 'progress'; progress: RunProgress }
  | { type: 'done'; outcome: RunOutcome }
  | { type: 'error'; runId: number; message: string }
  | { type: 'log'; message: string };

export interface WorkerInit {
  dbPath: string;
}
