import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, openDb, schemaVersion } from '../../src-main/core/store/db';
import { checkRegistry, LATEST_VERSION, MIGRATIONS } from '../../src-main/core/store/migrations/index';

describe('migrations', () => {
  it('registry versions increase by one from 1', () => {
    expect(() => checkRegistry()).not.toThrow();
    expect(() => checkRegistry([MIGRATIONS[0], MIGRATIONS[0]])).toThrow(/out of order/);
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
      { version: MIGRATIONS.length + 1, name: 'broken', up: () => { throw new Error('boom'); } },
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
});
