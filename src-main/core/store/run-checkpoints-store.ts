import type { Db } from './db';
import { now } from './run-row';

/** A run's checkpoints, and the rewind to one of them before a resume. */

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
