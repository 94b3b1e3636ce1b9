import type { Migration } from './migration';

/**
 * Jobs against a model server (generation, Monte Carlo labelling). Every request the job
 * will make is planned as a row when the job is created, so a crash loses nothing: a row
 * marked 'done' is never sent again, and its effect (new CoTs, step labels) was written in
 * the same transaction that marked it.
 */
export const m004Jobs: Migration = {
  version: 4,
  name: 'jobs',
  up(db) {
    db.exec(`
      -- owner_pid/owner_host/heartbeat_at tell a live job from one whose process died.
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('generate', 'label')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
        config TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        heartbeat_at TEXT,
        owner_pid INTEGER,
        owner_host TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        error TEXT
      );
      CREATE INDEX jobs_kind_status ON jobs(kind, status);
      -- payload: what to ask (JSON); result: what came back, reduced to what the job needs.
      CREATE TABLE job_requests (
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        payload TEXT NOT NULL,
        result TEXT,
        error TEXT,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT,
        PRIMARY KEY (job_id, key)
      ) WITHOUT ROWID;
      CREATE INDEX job_requests_status ON job_requests(job_id, status);
    `);
  },
};
