import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, openDb, schemaVersion } from '../../src-main/core/store/db';
import { checkRegistry, LATEST_VERSION, MIGRATIONS } from '../../src-main/core/store/migrations/index';

describe('migrations', () => {
  it('registry versions start at 1 and increase (gaps are numbers other branches hold)', () => {
    expect(() => checkRegistry()).not.toThrow();
    expect(() => checkRegistry([MIGRATIONS[0], MIGRATIONS[0]])).toThrow(/out of order/);
    expect(() => checkRegistry([MIGRATIONS[1]])).toThrow(/#0 is version 2/);
    expect(() => checkRegistry([MIGRATIONS[0], MIGRATIONS[2], MIGRATIONS[1]])).toThrow(/#2 is version 2/);
  });

  it('a new database reaches the latest version', () => {
    const db = openDb(':memory:');
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    db.close();
  });

  it('refuses a database newer than the code, and leaves it untouched', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    expect(() => migrate(db, MIGRATIONS, 'test.db')).toThrow(
      /test\.db has schema version \d+, but this DreamPRM Studio knows only up to \d+/,
    );
    expect(schemaVersion(db)).toBe(LATEST_VERSION + 1);
    db.close();
  });

  it('001 creates the data tables', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 1));
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining(['cots', 'domains', 'images', 'question_images', 'questions', 'sources', 'steps']),
    );
    db.close();
  });

  it('a failing migration rolls back every pending one', () => {
    const db = new Database(':memory:');
    const broken = [
      ...MIGRATIONS,
      { version: LATEST_VERSION + 1, name: 'broken', up: () => { throw new Error('boom'); } },
    ];
    expect(() => migrate(db, broken)).toThrow('boom');
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'cots'").pluck().get()).toBe(0);
    db.close();
  });

  it('003 upgrades a version-2 database and keeps its data', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 2));
    db.prepare(`INSERT INTO domains (name, pool) VALUES ('bench', 'test')`).run();
    migrate(db, MIGRATIONS.slice(0, 3));
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare('SELECT count(*) FROM domains').pluck().get()).toBe(1);
    const cols = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('eval_candidates');
    expect(cols).toEqual(['evaluation_id', 'cot_id', 'question_id', 'step_scores', 'score']);
    db.close();
  });

  it('008 rebuilds the job tables for embed and score jobs, keeping every job and request', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    const upTo5 = MIGRATIONS.filter((m) => m.version <= 5);
    migrate(db, upTo5);
    db.prepare(`INSERT INTO jobs (id, kind, status, config, summary, created_at) VALUES (7, 'label', 'failed', '{"k":4}', '{"cots":2}', 'then')`).run();
    db.prepare(`INSERT INTO job_requests (job_id, key, status, attempts, payload, result, prompt_tokens) VALUES (7, 'c1/t0/s0', 'done', 2, '{}', '[1]', 55)`).run();
    db.prepare(`INSERT INTO job_requests (job_id, key, status, payload, error) VALUES (7, 'c1/t1/s0', 'failed', '{}', 'HTTP 500')`).run();
    expect(() => db.prepare(`INSERT INTO jobs (kind, status, config, created_at) VALUES ('embed', 'pending', '{}', 'now')`).run()).toThrow(/CHECK/);

    migrate(db, MIGRATIONS);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.prepare('SELECT id, kind, status, config, summary, created_at AS createdAt FROM jobs').all()).toEqual([
      { id: 7, kind: 'label', status: 'failed', config: '{"k":4}', summary: '{"cots":2}', createdAt: 'then' },
    ]);
    expect(db.prepare('SELECT key, status, attempts, result, error, prompt_tokens AS p FROM job_requests ORDER BY key').all()).toEqual([
      { key: 'c1/t0/s0', status: 'done', attempts: 2, result: '[1]', error: null, p: 55 },
      { key: 'c1/t1/s0', status: 'failed', attempts: 0, result: null, error: 'HTTP 500', p: 0 },
    ]);
    for (const kind of ['embed', 'score']) db.prepare(`INSERT INTO jobs (kind, status, config, created_at) VALUES (?, 'pending', '{}', 'now')`).run(kind);
    expect(() => db.prepare(`INSERT INTO jobs (kind, status, config, created_at) VALUES ('mine', 'pending', '{}', 'now')`).run()).toThrow(/CHECK/);
    // the requests still belong to their job: deleting it deletes them, an orphan is refused
    expect(() => db.prepare(`INSERT INTO job_requests (job_id, key, status, payload) VALUES (99, 'x', 'pending', '{}')`).run()).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM jobs WHERE id = 7').run();
    expect(db.prepare('SELECT count(*) FROM job_requests').pluck().get()).toBe(0);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('jobs', 'job_requests') AND sql IS NOT NULL ORDER BY name").pluck().all()).toEqual([
      'job_requests_status',
      'jobs_kind_status',
    ]);
    db.close();
  });
});
