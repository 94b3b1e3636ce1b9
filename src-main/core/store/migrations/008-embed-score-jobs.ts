import type { Migration } from './migration';

/**
 * Two more kinds of model-server job: `embed` (a vector per step, into steps.vector) and
 * `score` (an external PRM's step scores of the test candidates, stored as an evaluation).
 * SQLite cannot change a CHECK constraint in place, so both job tables are rebuilt. The new
 * tables are made first and the old ones dropped child-first: with foreign keys on (they
 * cannot be switched off inside the migration's transaction), dropping `jobs` while
 * `job_requests` still pointed at it would delete every request row by cascade.
 */
export const m008EmbedScoreJobs: Migration = {
  version: 8,
  name: 'embed-score-jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs_v8 (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('generate', 'label', 'embed', 'score')),
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
      CREATE TABLE job_requests_v8 (
        job_id INTEGER NOT NULL REFERENCES jobs_v8(id) ON DELETE CASCADE,
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
      INSERT INTO jobs_v8 SELECT id, kind, status, config, summary, created_at, started_at, finished_at, heartbeat_at,
                                 owner_pid, owner_host, cancel_requested, error FROM jobs;
      INSERT INTO job_requests_v8 SELECT job_id, key, status, attempts, payload, result, error, prompt_tokens,
                                         completion_tokens, updated_at FROM job_requests;
      DROP TABLE job_requests;
      DROP TABLE jobs;
      -- Renaming a parent also rewrites the child's REFERENCES clause to the new name.
      ALTER TABLE jobs_v8 RENAME TO jobs;
      ALTER TABLE job_requests_v8 RENAME TO job_requests;
      CREATE INDEX jobs_kind_status ON jobs(kind, status);
      CREATE INDEX job_requests_status ON job_requests(job_id, status);
    `);
  },
};
