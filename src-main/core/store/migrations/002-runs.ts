import type { Migration } from './migration';

/**
 * Training runs and everything a run writes while it trains: metrics, the domain-weight
 * trajectory, compact instance-weight snapshots and resumable checkpoints.
 */
export const m002Runs: Migration = {
  version: 2,
  name: 'runs',
  up(db) {
    db.exec(`
      -- owner_pid/owner_host/heartbeat_at tell a live run from one whose process died
      -- (marked 'interrupted' later); cancel_requested lets another process stop it.
      -- AUTOINCREMENT: a deleted run's id is never handed out again.
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT,
        method TEXT NOT NULL,
        config TEXT NOT NULL,
        model_spec TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
        backend TEXT NOT NULL,
        step INTEGER NOT NULL DEFAULT 0,
        total_steps INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        heartbeat_at TEXT,
        seconds REAL NOT NULL DEFAULT 0,
        owner_pid INTEGER,
        owner_host TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        train_loss REAL,
        meta_loss REAL,
        summary TEXT
      );
      CREATE INDEX runs_status ON runs(status);
      CREATE TABLE run_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        train_loss REAL,
        weighted_loss REAL,
        meta_loss REAL,
        lr REAL,
        throughput REAL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;
      CREATE TABLE run_domain_weights (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        domain TEXT NOT NULL,
        weight REAL NOT NULL,
        PRIMARY KEY (run_id, step, domain)
      ) WITHOUT ROWID;
      -- weights: Float32Array (little-endian) over the run's instances, in instance order;
      -- instance_ids: Int32Array of cot ids in that order (written once per run, at step 0).
      CREATE TABLE run_instance_snapshots (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        weights BLOB NOT NULL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;
      CREATE TABLE run_instances (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        cot_ids BLOB NOT NULL,
        domains BLOB NOT NULL,
        domain_names TEXT NOT NULL
      );
      CREATE TABLE run_checkpoints (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        state BLOB NOT NULL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;
    `);
  },
};
