import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, openDb, schemaVersion } from '../../src-main/core/store/db';
import { MIGRATIONS } from '../../src-main/core/store/migrations/index';
import { claimJob, createJob, markDone, markFailed, openRequests, requestCounters } from '../../src-main/core/store/jobs-store';

describe('migration 004 (jobs)', () => {
  it('upgrades a version-3 database and keeps its data', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 3));
    db.prepare(`INSERT INTO domains (name, pool) VALUES ('d', 'test')`).run();
    migrate(db, MIGRATIONS.slice(0, 4));
    expect(schemaVersion(db)).toBe(4);
    expect(db.prepare(`SELECT count(*) FROM domains`).pluck().get()).toBe(1);
    const cols = db.prepare(`SELECT name FROM pragma_table_info('job_requests')`).pluck().all();
    expect(cols).toEqual(['job_id', 'key', 'status', 'attempts', 'payload', 'result', 'error', 'prompt_tokens', 'completion_tokens', 'updated_at']);
    expect(() => db.prepare(`INSERT INTO jobs (kind, status, config, created_at) VALUES ('train', 'pending', '{}', 'now')`).run()).toThrow(/CHECK/);
    db.close();
  });

  it('finds the open requests of a job through its primary key, not a scan', () => {
    const db = openDb(':memory:');
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT key FROM job_requests WHERE job_id = ? AND status != 'done' AND key > ? ORDER BY key LIMIT 10`)
      .all(1, '') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH job_requests USING (PRIMARY KEY|INDEX)/);
    db.close();
  });
});

describe('jobs store', () => {
  it('never marks a finished request again and counts tokens per status', () => {
    const db = openDb(':memory:');
    const id = createJob(db, 'generate', { x: 1 }, [
      { key: 'a', payload: { n: 1 } },
      { key: 'b', payload: { n: 2 } },
      { key: 'c', payload: { n: 3 } },
    ]);
    claimJob(db, id);
    markDone(db, id, 'a', { ok: 1 }, { attempts: 2, promptTokens: 10, completionTokens: 5 });
    expect(() => markDone(db, id, 'a', { ok: 2 }, { attempts: 1, promptTokens: 1, completionTokens: 1 })).toThrow(/request a is not open/);
    markFailed(db, id, 'b', 'HTTP 500', 3);
    markFailed(db, id, 'a', 'late failure', 1); // ignored: a is done
    expect(requestCounters(db, id)).toEqual({ total: 3, done: 1, failed: 1, pending: 1, promptTokens: 10, completionTokens: 5 });
    expect(openRequests(db, id, null, 10).map((r) => [r.key, r.status, r.attempts])).toEqual([
      ['b', 'failed', 3],
      ['c', 'pending', 0],
    ]);
    expect(openRequests(db, id, 'b', 10).map((r) => r.key)).toEqual(['c']);
    expect(() => claimJob(db, 999)).toThrow(/no job 999/);
    db.close();
  });
});
