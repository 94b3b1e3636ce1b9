import { hostname } from 'node:os';
import type { Db } from './db';
import { UserError } from '../errors';
import type { RunState, RunStatus, RunSummary } from '../../../src-shared/runs';
import { now, rowOf, toSummary, type RunRowDb } from './run-row';
import { latestDomainWeights } from './run-history-store';

/**
 * Training runs in the store: what the trainer writes and what the CLI and UI read. A run's
 * lifecycle is here; its history, instance snapshots and checkpoints are in the sibling
 * run-*-store.ts files, re-exported so a caller needs one path.
 */

export type { MetricPoint, DomainWeightPoint, RunStatus, RunSummary } from '../../../src-shared/runs';
export {
  appendDomainWeights,
  appendMetrics,
  getDomainWeightTrajectory,
  getMetrics,
} from './run-history-store';
export {
  getInstanceWeightSnapshot,
  listInstanceSnapshotSteps,
  saveInstanceSnapshot,
  saveRunInstances,
  type InstanceWeightSnapshot,
} from './run-snapshots-store';
export { latestCheckpoint, saveCheckpoint, truncateRunAfter } from './run-checkpoints-store';

/** A run as the store reads it: its shared state and who owns it (kept in the main process; the API leaves these out). */
export interface RunRecord extends RunState {
  ownerPid: number | null;
  heartbeatAt: string | null;
}

export function createRun(
  db: Db,
  opts: { method: string; config: object; totalSteps: number; backend: string; name?: string | null },
): number {
  const info = db
    .prepare(
      `INSERT INTO runs (name, method, config, status, backend, step, total_steps, created_at, owner_pid, owner_host)
       VALUES (?, ?, ?, 'running', ?, 0, ?, ?, ?, ?)`,
    )
    .run(opts.name ?? null, opts.method, JSON.stringify(opts.config), opts.backend, opts.totalSteps, now(), process.pid, hostname());
  return Number(info.lastInsertRowid);
}

/** The backend a run trains on, as the parity check left it (see engine/tf-backend.ts). */
export interface RunDevice {
  device: string | null;
  parityMaxAbsDiff: number | null;
  fallback: string | null;
}

/**
 * Claims a run for this process: running, owned by this pid, cancel flag cleared. The device
 * is written with the backend, so a resume on another machine does not keep the old one.
 */
export function claimRun(db: Db, runId: number, backend: string, d: RunDevice = { device: null, parityMaxAbsDiff: null, fallback: null }): void {
  const t = now();
  db.prepare(
    `UPDATE runs SET status = 'running', backend = ?, device = ?, parity_max_abs_diff = ?, backend_fallback = ?,
       owner_pid = ?, owner_host = ?, heartbeat_at = ?,
       started_at = COALESCE(started_at, ?), finished_at = NULL, error = NULL, cancel_requested = 0
     WHERE id = ?`,
  ).run(backend, d.device, d.parityMaxAbsDiff, d.fallback, process.pid, hostname(), t, t, runId);
}

export function setModelSpec(db: Db, runId: number, spec: object): void {
  db.prepare('UPDATE runs SET model_spec = ? WHERE id = ?').run(JSON.stringify(spec), runId);
}

export function getModelSpec<T>(db: Db, runId: number): T | null {
  const s = db.prepare('SELECT model_spec FROM runs WHERE id = ?').pluck().get(runId) as string | null | undefined;
  return s ? (JSON.parse(s) as T) : null;
}

export function getRunConfig(db: Db, runId: number): Record<string, unknown> {
  return JSON.parse(rowOf(db, runId).config) as Record<string, unknown>;
}

/** Progress of a live run; also its heartbeat. */
export function heartbeat(
  db: Db,
  runId: number,
  p: { step: number; seconds: number; trainLoss: number | null; metaLoss: number | null },
): boolean {
  db.prepare(
    `UPDATE runs SET step = ?, seconds = ?, heartbeat_at = ?, train_loss = COALESCE(?, train_loss),
       meta_loss = COALESCE(?, meta_loss) WHERE id = ?`,
  ).run(p.step, p.seconds, now(), p.trainLoss, p.metaLoss, runId);
  return isCancelRequested(db, runId);
}

export function isCancelRequested(db: Db, runId: number): boolean {
  return (db.prepare('SELECT cancel_requested FROM runs WHERE id = ?').pluck().get(runId) as number | undefined) === 1;
}

/** Asks the process training a run to stop at its next step boundary. */
export function requestCancel(db: Db, runId: number): RunSummary {
  const r = rowOf(db, runId);
  if (r.status !== 'running') {
    throw new UserError(`run ${runId} is ${r.status}, not running: nothing to cancel`);
  }
  db.prepare('UPDATE runs SET cancel_requested = 1 WHERE id = ?').run(runId);
  return toSummary(rowOf(db, runId));
}

export function finishRun(
  db: Db,
  runId: number,
  status: Exclude<RunStatus, 'running'>,
  opts: { error?: string | null; summary?: object } = {},
): void {
  db.prepare(
    `UPDATE runs SET status = ?, finished_at = ?, error = ?, summary = COALESCE(?, summary), owner_pid = NULL,
       cancel_requested = 0 WHERE id = ?`,
  ).run(status, now(), opts.error ?? null, opts.summary ? JSON.stringify(opts.summary) : null, runId);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run on another host counts as dead when it has not beaten for this long. */
const REMOTE_STALE_MS = 10 * 60 * 1000;

/**
 * Marks `running` runs whose owner is gone as `interrupted` (a process killed with -9 cannot
 * say so itself). On this host the owner pid is checked; elsewhere the heartbeat's age.
 */
export function reconcileStaleRuns(db: Db): number[] {
  const rows = db
    .prepare(`SELECT id, owner_pid, owner_host, heartbeat_at, created_at FROM runs WHERE status = 'running'`)
    .all() as Pick<RunRowDb, 'id' | 'owner_pid' | 'owner_host' | 'heartbeat_at' | 'created_at'>[];
  const host = hostname();
  const stale = rows.filter((r) => {
    if (r.owner_pid === null) return true;
    if (r.owner_host === host) return !pidAlive(r.owner_pid);
    const last = Date.parse(r.heartbeat_at ?? r.created_at);
    return Date.now() - last > REMOTE_STALE_MS;
  });
  const mark = db.prepare(
    `UPDATE runs SET status = 'interrupted', owner_pid = NULL,
       error = 'the process training this run stopped without finishing it; resume it with \`dreamprm resume ' || id || '\`'
     WHERE id = ? AND status = 'running'`,
  );
  for (const r of stale) mark.run(r.id);
  return stale.map((r) => r.id);
}

export function listRuns(db: Db): RunSummary[] {
  reconcileStaleRuns(db);
  return (db.prepare('SELECT * FROM runs ORDER BY id').all() as RunRowDb[]).map(toSummary);
}

export function getRun(db: Db, runId: number): RunRecord {
  reconcileStaleRuns(db);
  const r = rowOf(db, runId);
  const ck = db.prepare('SELECT max(step) FROM run_checkpoints WHERE run_id = ?').pluck().get(runId) as number | null;
  return {
    ...toSummary(r),
    config: JSON.parse(r.config) as Record<string, unknown>,
    domainWeights: latestDomainWeights(db, r.id),
    cancelRequested: r.cancel_requested === 1,
    ownerPid: r.owner_pid,
    heartbeatAt: r.heartbeat_at,
    lastCheckpointStep: ck,
  };
}

export function getRunSummaryJson<T>(db: Db, runId: number): T | null {
  const s = rowOf(db, runId).summary;
  return s ? (JSON.parse(s) as T) : null;
}
