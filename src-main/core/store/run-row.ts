import type { Db } from './db';
import { UserError } from '../errors';
import type { RunStatus, RunSummary } from '../../../src-shared/runs';
import type { Method } from '../../../src-shared/training';

/** The runs table's row as SQLite returns it, and the summary (src-shared/runs.ts) the store makes of it. */

export interface RunRowDb {
  id: number;
  name: string | null;
  /** written only from a parsed TrainConfig (createRun), so one of the methods */
  method: Method;
  config: string;
  status: RunStatus;
  backend: string;
  device: string | null;
  parity_max_abs_diff: number | null;
  backend_fallback: string | null;
  step: number;
  total_steps: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  seconds: number;
  owner_pid: number | null;
  owner_host: string | null;
  cancel_requested: number;
  error: string | null;
  train_loss: number | null;
  meta_loss: number | null;
  summary: string | null;
  model_spec: string | null;
}

export const now = () => new Date().toISOString();

export function toSummary(r: RunRowDb): RunSummary {
  return {
    runId: r.id,
    name: r.name,
    method: r.method,
    status: r.status,
    step: r.step,
    totalSteps: r.total_steps,
    backend: r.backend,
    device: r.device,
    parityMaxAbsDiff: r.parity_max_abs_diff,
    backendFallback: r.backend_fallback,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    seconds: r.seconds,
    error: r.error,
    trainLoss: r.train_loss,
    metaLoss: r.meta_loss,
  };
}

export function rowOf(db: Db, runId: number): RunRowDb {
  const r = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRowDb | undefined;
  if (!r) throw new UserError(`run ${runId} does not exist (see \`dreamprm runs list\`)`);
  return r;
}
