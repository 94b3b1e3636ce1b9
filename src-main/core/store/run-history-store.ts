import type { DomainWeightPoint, MetricPoint } from '../../../src-shared/runs';
import type { Db } from './db';

/** A run's history: its metrics and its domain-weight trajectory, step by step. */

/** The run's latest domain weights; 1 for every domain of its instance table when it has none. */
export function latestDomainWeights(db: Db, runId: number): Record<string, number> {
  const last = db
    .prepare(
      `SELECT domain, weight FROM run_domain_weights
       WHERE run_id = ? AND step = (SELECT max(step) FROM run_domain_weights WHERE run_id = ?)`,
    )
    .all(runId, runId) as { domain: string; weight: number }[];
  if (last.length) return Object.fromEntries(last.map((x) => [x.domain, x.weight]));
  const names = db.prepare('SELECT domain_names FROM run_instances WHERE run_id = ?').pluck().get(runId) as string | undefined;
  return Object.fromEntries((names ? (JSON.parse(names) as string[]) : []).map((d) => [d, 1]));
}

export function appendMetrics(db: Db, runId: number, rows: readonly MetricPoint[]): void {
  const ins = db.prepare(
    `INSERT OR REPLACE INTO run_metrics (run_id, step, train_loss, weighted_loss, meta_loss, lr, throughput)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const m of rows) ins.run(runId, m.step, m.trainLoss, m.weightedLoss, m.metaLoss, m.lr, m.throughput);
}

export function getMetrics(db: Db, runId: number, sinceStep = 0): MetricPoint[] {
  return db
    .prepare(
      `SELECT step, train_loss AS trainLoss, weighted_loss AS weightedLoss, meta_loss AS metaLoss, lr, throughput
       FROM run_metrics WHERE run_id = ? AND step > ? ORDER BY step`,
    )
    .all(runId, sinceStep) as MetricPoint[];
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
