/** One instance of a run in detail, and the weight histograms per domain. */
import { NotFoundError } from '../errors';
import type { Db } from '../store/db';
import { getInstanceWeightSnapshot, listInstanceSnapshotSteps } from '../store/runs-store';
import { cotView, questionView } from './cot-view';
import { rowsByIdx, tableOf } from './query';
import type { DomainHistograms, InstanceDetail } from './types';

/** Snapshots read for one instance's trajectory, at most (evenly spaced, first and last kept). */
export const TRAJECTORY_POINTS = 120;

export function evenlySpaced<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  return Array.from({ length: max }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (max - 1))]);
}

/**
 * The instance's weight at the run's snapshots. Each read takes 4 bytes out of a snapshot blob
 * in SQLite (substr), so a 4 MB snapshot never crosses into JavaScript. Runs without instance
 * snapshots (uniform, domain) follow the instance's domain weight.
 */
export function weightTrajectory(db: Db, runId: number, idx: number, domain: string): { step: number; weight: number }[] {
  const steps = listInstanceSnapshotSteps(db, runId);
  if (steps.length) {
    const read = db.prepare('SELECT substr(weights, ?, 4) FROM run_instance_snapshots WHERE run_id = ? AND step = ?').pluck();
    return evenlySpaced(steps, TRAJECTORY_POINTS).flatMap((step) => {
      const bytes = read.get(idx * 4 + 1, runId, step) as Buffer | null;
      if (!bytes || bytes.length !== 4) return [];
      return [{ step, weight: bytes.readFloatLE(0) }];
    });
  }
  const rows = db
    .prepare('SELECT step, weight FROM run_domain_weights WHERE run_id = ? AND domain = ? ORDER BY step')
    .all(runId, domain) as { step: number; weight: number }[];
  return evenlySpaced(rows, TRAJECTORY_POINTS);
}

export function instanceDetail(db: Db, runId: number, idx: number): InstanceDetail {
  const table = tableOf(db, runId);
  const [row] = rowsByIdx(db, table, [idx]);
  if (!row) throw new NotFoundError(`run ${runId} has no instance ${idx} (it has ${table.instances})`);
  return {
    row,
    question: questionView(db, row.questionId),
    cot: cotView(db, row.cotId),
    trajectory: weightTrajectory(db, runId, idx, row.domain),
  };
}

/**
 * Weight histograms per training domain over shared bins, from the snapshot the explorer
 * table was built from (a pass over the Float32Array; nothing per instance leaves the core).
 */
export function domainHistograms(db: Db, runId: number, bins = 24): DomainHistograms {
  const table = tableOf(db, runId);
  const snap = getInstanceWeightSnapshot(db, runId, table.step) ?? getInstanceWeightSnapshot(db, runId);
  if (!snap) return { step: table.step, edges: [], domains: [] };
  const { weights, domains, domainNames } = snap;
  let lo = Infinity;
  let hi = -Infinity;
  for (const w of weights) {
    if (w < lo) lo = w;
    if (w > hi) hi = w;
  }
  if (!Number.isFinite(lo)) return { step: snap.step, edges: [], domains: [] };
  // A constant vector (a uniform run) still gets a visible bin.
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const counts = domainNames.map(() => new Array<number>(bins).fill(0));
  const sums = new Float64Array(domainNames.length);
  const sizes = new Int32Array(domainNames.length);
  for (let i = 0; i < weights.length; i++) {
    const d = domains[i];
    counts[d][Math.min(bins - 1, Math.floor((weights[i] - lo) / width))] += 1;
    sums[d] += weights[i];
    sizes[d] += 1;
  }
  return {
    step: snap.step,
    edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width),
    domains: domainNames.map((domain, d) => ({
      domain,
      instances: sizes[d],
      meanWeight: sizes[d] ? sums[d] / sizes[d] : 0,
      counts: counts[d],
    })),
  };
}
