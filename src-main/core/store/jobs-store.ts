import { hostname } from 'node:os';
import { UserError } from '../errors';
import type { Db } from './db';
import type { JobKind, JobStatus, RequestCounters } from '../../../src-shared/jobs';

export type { JobKind, JobStatus, RequestCounters };

export type RequestStatus = 'pending' | 'done' | 'failed';

export interface JobRow {
  id: number;
  kind: JobKind;
  status: JobStatus;
  config: unknown;
  summary: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
  ownerPid: number | null;
  ownerHost: string | null;
  cancelRequested: boolean;
  error: string | null;
}

export interface PlannedRequest {
  key: string;
  payload: unknown;
}

export interface RequestRow {
  key: string;
  status: RequestStatus;
  attempts: number;
  payload: unknown;
  result: unknown;
  error: string | null;
}

interface RawJob {
  id: number;
  kind: JobKind;
  status: JobStatus;
  config: string;
  summary: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  owner_pid: number | null;
  owner_host: string | null;
  cancel_requested: number;
  error: string | null;
}

const now = () => new Date().toISOString();

function toJob(r: RawJob): JobRow {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    config: JSON.parse(r.config),
    summary: JSON.parse(r.summary),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    heartbeatAt: r.heartbeat_at,
    ownerPid: r.owner_pid,
    ownerHost: r.owner_host,
    cancelRequested: r.cancel_requested === 1,
    error: r.error,
  };
}

/** Creates a job with every request it will make, in one transaction. */
export function createJob(db: Db, kind: JobKind, config: unknown, requests: Iterable<PlannedRequest>, summary: unknown = {}): number {
  const insertJob = db.prepare(`INSERT INTO jobs (kind, status, config, summary, created_at) VALUES (?, 'pending', ?, ?, ?)`);
  const insertReq = db.prepare(`INSERT INTO job_requests (job_id, key, status, payload) VALUES (?, ?, 'pending', ?)`);
  return db.transaction(() => {
    const id = Number(insertJob.run(kind, JSON.stringify(config), JSON.stringify(summary), now()).lastInsertRowid);
    for (const r of requests) insertReq.run(id, r.key, JSON.stringify(r.payload));
    return id;
  })();
}

export function getJob(db: Db, id: number): JobRow | undefined {
  const r = db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as RawJob | undefined;
  return r && toJob(r);
}

export function listJobs(db: Db, kind?: JobKind): JobRow[] {
  const rows = (
    kind
      ? db.prepare(`SELECT * FROM jobs WHERE kind = ? ORDER BY id DESC`).all(kind)
      : db.prepare(`SELECT * FROM jobs ORDER BY id DESC`).all()
  ) as RawJob[];
  return rows.map(toJob);
}

/** The newest job of this kind that has not completed, if any: what a plain re-run resumes. */
export function findUnfinishedJob(db: Db, kind: JobKind): JobRow | undefined {
  const r = db
    .prepare(`SELECT * FROM jobs WHERE kind = ? AND status != 'completed' ORDER BY id DESC LIMIT 1`)
    .get(kind) as RawJob | undefined;
  return r && toJob(r);
}

/** A job run on another host counts as dead when its heartbeat is older than this. */
const REMOTE_STALE_MS = 10 * 60 * 1000;

/** Whether the process that owns a job still runs: its pid on this host, its heartbeat elsewhere. */
export function ownerAlive(job: JobRow, host = hostname()): boolean {
  if (job.status !== 'running' || job.ownerPid == null) return false;
  if (job.ownerHost !== host) return Date.now() - Date.parse(job.heartbeatAt ?? job.createdAt) < REMOTE_STALE_MS;
  if (job.ownerPid === process.pid) return true;
  try {
    process.kill(job.ownerPid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks a job as run by this process. A job still run by a live process is refused; one
 * whose process died (status 'running', owner gone) is taken over.
 */
export function claimJob(db: Db, id: number): JobRow {
  return db.transaction(() => {
    const job = getJob(db, id);
    if (!job) throw new UserError(`no job ${id}: see \`dreamprm jobs\` or start a new one`);
    if (job.status === 'completed') throw new UserError(`job ${id} has already completed: start a new job instead`);
    if (ownerAlive(job)) {
      throw new UserError(
        `job ${id} is being run by process ${job.ownerPid} on ${job.ownerHost}: wait for it, or stop that process first`,
      );
    }
    const t = now();
    db.prepare(
      `UPDATE jobs SET status = 'running', owner_pid = ?, owner_host = ?, started_at = coalesce(started_at, ?),
              heartbeat_at = ?, cancel_requested = 0, error = NULL, finished_at = NULL WHERE id = ?`,
    ).run(process.pid, hostname(), t, t, id);
    return getJob(db, id)!;
  })();
}

export function finishJob(db: Db, id: number, status: Exclude<JobStatus, 'pending' | 'running'>, error: string | null = null): void {
  db.prepare(
    `UPDATE jobs SET status = ?, error = ?, finished_at = ?, heartbeat_at = ?, owner_pid = NULL WHERE id = ?`,
  ).run(status, error, now(), now(), id);
}

export function heartbeat(db: Db, id: number): void {
  db.prepare(`UPDATE jobs SET heartbeat_at = ? WHERE id = ?`).run(now(), id);
}

/** Asks the process running a job to stop after its in-flight requests (the UI's cancel). */
export function requestCancel(db: Db, id: number): void {
  db.prepare(`UPDATE jobs SET cancel_requested = 1 WHERE id = ?`).run(id);
}

export function cancelRequested(db: Db, id: number): boolean {
  return db.prepare(`SELECT cancel_requested FROM jobs WHERE id = ?`).pluck().get(id) === 1;
}

export function setJobSummary(db: Db, id: number, summary: unknown): void {
  db.prepare(`UPDATE jobs SET summary = ? WHERE id = ?`).run(JSON.stringify(summary), id);
}

/** Requests still to send (pending, or failed in an earlier session), in key order, one page at a time. */
export function openRequests(db: Db, jobId: number, afterKey: string | null, limit: number): RequestRow[] {
  const rows = db
    .prepare(
      `SELECT key, status, attempts, payload, result, error FROM job_requests
        WHERE job_id = ? AND status != 'done' AND key > ? ORDER BY key LIMIT ?`,
    )
    .all(jobId, afterKey ?? '', limit) as { key: string; status: RequestStatus; attempts: number; payload: string; result: string | null; error: string | null }[];
  return rows.map((r) => ({
    key: r.key,
    status: r.status,
    attempts: r.attempts,
    payload: JSON.parse(r.payload),
    result: r.result == null ? null : JSON.parse(r.result),
    error: r.error,
  }));
}

/** Done requests whose key starts with `prefix` (keys are hierarchical: "c12/t3/s0"). */
export function doneResults(db: Db, jobId: number, prefix: string): { key: string; result: unknown }[] {
  const rows = db
    .prepare(
      `SELECT key, result FROM job_requests WHERE job_id = ? AND key >= ? AND key < ? AND status = 'done' ORDER BY key`,
    )
    .all(jobId, prefix, prefix + '\uffff') as { key: string; result: string }[];
  return rows.map((r) => ({ key: r.key, result: JSON.parse(r.result) }));
}

export function countWithPrefix(db: Db, jobId: number, prefix: string): number {
  return db
    .prepare(`SELECT count(*) FROM job_requests WHERE job_id = ? AND key >= ? AND key < ?`)
    .pluck()
    .get(jobId, prefix, prefix + '\uffff') as number;
}

export function markDone(
  db: Db,
  jobId: number,
  key: string,
  result: unknown,
  usage: { attempts: number; promptTokens: number; completionTokens: number },
): void {
  const r = db
    .prepare(
      `UPDATE job_requests SET status = 'done', result = ?, error = NULL, attempts = attempts + ?,
              prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?, updated_at = ?
        WHERE job_id = ? AND key = ? AND status != 'done'`,
    )
    .run(JSON.stringify(result), usage.attempts, usage.promptTokens, usage.completionTokens, now(), jobId, key);
  // Never overwrite a finished request: if it is already done, the caller has a bug.
  if (r.changes !== 1) throw new Error(`job ${jobId} request ${key} is not open (already done or unknown)`);
}

export function markFailed(db: Db, jobId: number, key: string, error: string, attempts: number, tokens = { promptTokens: 0, completionTokens: 0 }): void {
  db.prepare(
    `UPDATE job_requests SET status = 'failed', error = ?, attempts = attempts + ?,
            prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?, updated_at = ?
      WHERE job_id = ? AND key = ? AND status != 'done'`,
  ).run(error, attempts, tokens.promptTokens, tokens.completionTokens, now(), jobId, key);
}

export function requestCounters(db: Db, jobId: number): RequestCounters {
  const rows = db
    .prepare(
      `SELECT status, count(*) AS n, sum(prompt_tokens) AS p, sum(completion_tokens) AS c
         FROM job_requests WHERE job_id = ? GROUP BY status`,
    )
    .all(jobId) as { status: RequestStatus; n: number; p: number; c: number }[];
  const out: RequestCounters = { total: 0, done: 0, failed: 0, pending: 0, promptTokens: 0, completionTokens: 0 };
  for (const r of rows) {
    out[r.status] = r.n;
    out.total += r.n;
    out.promptTokens += r.p;
    out.completionTokens += r.c;
  }
  return out;
}

/** The first few failures, for a summary a person can act on. */
export function failedRequests(db: Db, jobId: number, limit = 10): { key: string; attempts: number; error: string }[] {
  return db
    .prepare(`SELECT key, attempts, error FROM job_requests WHERE job_id = ? AND status = 'failed' ORDER BY key LIMIT ?`)
    .all(jobId, limit) as { key: string; attempts: number; error: string }[];
}
