import { hostname } from 'node:os';
import type { Db } from './db';
import { UserError } from '../errors';

/** Training runs in the store: what the trainer writes and what the CLI and UI read. */

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunSummary {
  runId: number;
  name: string | null;
  method: string;
  status: RunStatus;
  step: number;
  totalSteps: number;
  backend: string;
  /** what computed (GPU name, WebGPU adapter, CPU); null before a run starts or for older runs */
  device: string | null;
  /** largest |backend − cpu| of the start-up parity check; null on cpu or before it ran */
  parityMaxAbsDiff: number | null;
  /** why the backend asked for is not the one used */
  backendFallback: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** training wall time so far, summed over resumes */
  seconds: number;
  error: string | null;
  trainLoss: number | null;
  metaLoss: number | null;
}

export interface RunDetail extends RunSummary {
  config: Record<string, unknown>;
  /** domain → latest weight (1 for every domain of a uniform run) */
  domainWeights: Record<string, number>;
  cancelRequested: boolean;
  ownerPid: number | null;
  heartbeatAt: string | null;
  lastCheckpointStep: number | null;
}

export interface MetricRow {
  step: number;
  trainLoss: number | null;
  weightedLoss: number | null;
  metaLoss: number | null;
  lr: number | null;
  throughput: number | null;
}

export interface DomainWeightPoint {
  step: number;
  weights: Record<string, number>;
}

export interface InstanceWeightSnapshot {
  step: number;
  /** weight of instance i; instance i is CoT cotIds[i] of domain domainNames[domains[i]] */
  weights: Float32Array;
  cotIds: Int32Array;
  domains: Int32Array;
  domainNames: string[];
}

interface RunRowDb {
  id: number;
  name: string | null;
  method: string;
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

const now = () => new Date().toISOString();

function toSummary(r: RunRowDb): RunSummary {
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

function rowOf(db: Db, runId: number): RunRowDb {
  const r = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRowDb | undefined;
  if (!r) throw new UserError(`run ${runId} does not exist (see \`dreamprm runs list\`)`);
  return r;
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

export function getRun(db: Db, runId: number): RunDetail {
  reconcileStaleRuns(db);
  const r = rowOf(db, runId);
  const ck = db.prepare('SELECT max(step) FROM run_checkpoints WHERE run_id = ?').pluck().get(runId) as number | null;
  return {
    ...toSummary(r),
    config: JSON.parse(r.config) as Record<string, unknown>,
    domainWeights: latestDomainWeights(db, r),
    cancelRequested: r.cancel_requested === 1,
    ownerPid: r.owner_pid,
    heartbeatAt: r.heartbeat_at,
    lastCheckpointStep: ck,
  };
}

function latestDomainWeights(db: Db, r: RunRowDb): Record<string, number> {
  const last = db
    .prepare(
      `SELECT domain, weight FROM run_domain_weights
       WHERE run_id = ? AND step = (SELECT max(step) FROM run_domain_weights WHERE run_id = ?)`,
    )
    .all(r.id, r.id) as { domain: string; weight: number }[];
  if (last.length) return Object.fromEntries(last.map((x) => [x.domain, x.weight]));
  const names = db.prepare('SELECT domain_names FROM run_instances WHERE run_id = ?').pluck().get(r.id) as string | undefined;
  return Object.fromEntries((names ? (JSON.parse(names) as string[]) : []).map((d) => [d, 1]));
}

export function appendMetrics(db: Db, runId: number, rows: readonly MetricRow[]): void {
  const ins = db.prepare(
    `INSERT OR REPLACE INTO run_metrics (run_id, step, train_loss, weighted_loss, meta_loss, lr, throughput)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const m of rows) ins.run(runId, m.step, m.trainLoss, m.weightedLoss, m.metaLoss, m.lr, m.throughput);
}

export function getMetrics(db: Db, runId: number, sinceStep = 0): MetricRow[] {
  return db
    .prepare(
      `SELECT step, train_loss AS trainLoss, weighted_loss AS weightedLoss, meta_loss AS metaLoss, lr, throughput
       FROM run_metrics WHERE run_id = ? AND step > ? ORDER BY step`,
    )
    .all(runId, sinceStep) as MetricRow[];
}

export function appendDomainWeights(db: Db, runId: number, step: number, weights: Record<string, number>): void {
  const ins = db.prepare('INSERT OR REPLACE INTO run_domain_weights (run_id, step, domain, weight) VALUES (?, ?, ?, ?)');
  for (const [d, w] of Object.entries(weights)) ins.run(runId, step, d, w);
}

export function getDomainWeightTrajectory(db: Db, runId: number): DomainWeightPoint[] {
  const rows = db
    .prepare('SELECT step, domain, weight FROM run_domain_weights WHERE run_id = ? ORDER BY step, domain')
    .all(runId) as { step: number; domain: string; weight: number }[];
  const out: DomainWeightPoint[] = [];
  for (const r of rows) {
    if (!out.length || out[out.length - 1].step !== r.step) out.push({ step: r.step, weights: {} });
    out[out.length - 1].weights[r.domain] = r.weight;
  }
  return out;
}

/** The run's training instances, in the order of snapshot blobs (written once per run). */
export function saveRunInstances(db: Db, runId: number, cotIds: Int32Array, domains: Int32Array, domainNames: string[]): void {
  db.prepare('INSERT OR REPLACE INTO run_instances (run_id, cot_ids, domains, domain_names) VALUES (?, ?, ?, ?)').run(
    runId,
    Buffer.from(cotIds.buffer, cotIds.byteOffset, cotIds.byteLength),
    Buffer.from(domains.buffer, domains.byteOffset, domains.byteLength),
    JSON.stringify(domainNames),
  );
}

export function saveInstanceSnapshot(db: Db, runId: number, step: number, weights: Float32Array): void {
  db.prepare('INSERT OR REPLACE INTO run_instance_snapshots (run_id, step, weights) VALUES (?, ?, ?)').run(
    runId,
    step,
    Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength),
  );
}

export function listInstanceSnapshotSteps(db: Db, runId: number): number[] {
  return db.prepare('SELECT step FROM run_instance_snapshots WHERE run_id = ? ORDER BY step').pluck().all(runId) as number[];
}

function typed<T extends Float32Array | Int32Array>(Ctor: { new (b: ArrayBuffer): T }, b: Buffer): T {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Ctor(copy.buffer);
}

/**
 * Instance weights at `step` (default: the latest). Runs without an instance table (uniform,
 * domain) have no snapshots: their instances' weights are their domains' latest weights.
 */
export function getInstanceWeightSnapshot(db: Db, runId: number, step?: number): InstanceWeightSnapshot | null {
  const inst = db.prepare('SELECT cot_ids, domains, domain_names FROM run_instances WHERE run_id = ?').get(runId) as
    | { cot_ids: Buffer; domains: Buffer; domain_names: string }
    | undefined;
  if (!inst) return null;
  const cotIds = typed(Int32Array, inst.cot_ids);
  const domains = typed(Int32Array, inst.domains);
  const domainNames = JSON.parse(inst.domain_names) as string[];
  const snap = (
    step === undefined
      ? db.prepare('SELECT step, weights FROM run_instance_snapshots WHERE run_id = ? ORDER BY step DESC LIMIT 1').get(runId)
      : db.prepare('SELECT step, weights FROM run_instance_snapshots WHERE run_id = ? AND step = ?').get(runId, step)
  ) as { step: number; weights: Buffer } | undefined;
  if (snap) return { step: snap.step, weights: typed(Float32Array, snap.weights), cotIds, domains, domainNames };
  if (step !== undefined) return null;
  const r = rowOf(db, runId);
  const dw = latestDomainWeights(db, r);
  const weights = Float32Array.from(domains, (d) => dw[domainNames[d]] ?? 1);
  return { step: r.step, weights, cotIds, domains, domainNames };
}

/** Keeps the newest `keep` checkpoints of a run. */
export function saveCheckpoint(db: Db, runId: number, step: number, state: Buffer, keep = 2): void {
  db.prepare('INSERT OR REPLACE INTO run_checkpoints (run_id, step, created_at, state) VALUES (?, ?, ?, ?)').run(
    runId,
    step,
    now(),
    state,
  );
  db.prepare(
    `DELETE FROM run_checkpoints WHERE run_id = ? AND step NOT IN
       (SELECT step FROM run_checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT ?)`,
  ).run(runId, runId, keep);
}

export function latestCheckpoint(db: Db, runId: number): { step: number; state: Buffer } | null {
  return (
    (db.prepare('SELECT step, state FROM run_checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1').get(runId) as
      | { step: number; state: Buffer }
      | undefined) ?? null
  );
}

/** Drops what a run wrote after `step` (before resuming from the checkpoint at `step`). */
export function truncateRunAfter(db: Db, runId: number, step: number): void {
  db.prepare('DELETE FROM run_metrics WHERE run_id = ? AND step > ?').run(runId, step);
  db.prepare('DELETE FROM run_domain_weights WHERE run_id = ? AND step > ?').run(runId, step);
  db.prepare('DELETE FROM run_instance_snapshots WHERE run_id = ? AND step > ?').run(runId, step);
  db.prepare('DELETE FROM run_checkpoints WHERE run_id = ? AND step > ?').run(runId, step);
}

export function getRunSummaryJson<T>(db: Db, runId: number): T | null {
  const s = rowOf(db, runId).summary;
  return s ? (JSON.parse(s) as T) : null;
}
