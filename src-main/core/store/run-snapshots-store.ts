import type { Db } from './db';
import { rowOf } from './run-row';
import { latestDomainWeights } from './run-history-store';

/** A run's training instances and the snapshots of their weights. */

export interface InstanceWeightSnapshot {
  step: number;
  /** weight of instance i; instance i is CoT cotIds[i] of domain domainNames[domains[i]] */
  weights: Float32Array;
  cotIds: Int32Array;
  domains: Int32Array;
  domainNames: string[];
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
  const dw = latestDomainWeights(db, r.id);
  const weights = Float32Array.from(domains, (d) => dw[domainNames[d]] ?? 1);
  return { step: r.step, weights, cotIds, domains, domainNames };
}
