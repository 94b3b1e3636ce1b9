import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src-main/core/store/db';
import { MIGRATIONS } from '../../src-main/core/store/migrations/index';

describe('migration 002 (runs)', () => {
  it('upgrades a version-1 database, keeping its data, and adds the run tables', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 1));
    db.prepare("INSERT INTO domains (name, pool) VALUES ('d', 'train')").run();
    migrate(db, MIGRATIONS.slice(0, 2));
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT count(*) FROM domains').pluck().get()).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining(['runs', 'run_metrics', 'run_domain_weights', 'run_instance_snapshots', 'run_instances', 'run_checkpoints']),
    );
    db.close();
  });

  it('constrains run status and cascades deletes to what a run wrote', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 2));
    const ins = db.prepare(
      "INSERT INTO runs (method, config, status, backend, total_steps, created_at) VALUES ('uniform', '{}', ?, 'cpu', 10, 'now')",
    );
    expect(() => ins.run('paused')).toThrow(/CHECK constraint/);
    const id = Number(ins.run('running').lastInsertRowid);
    db.prepare('INSERT INTO run_metrics (run_id, step, train_loss) VALUES (?, 1, 0.5)').run(id);
    db.prepare("INSERT INTO run_checkpoints (run_id, step, created_at, state) VALUES (?, 1, 'now', x'00')").run(id);
    db.prepare('DELETE FROM runs WHERE id = ?').run(id);
    expect(db.prepare('SELECT count(*) FROM run_metrics').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM run_checkpoints').pluck().get()).toBe(0);
    // AUTOINCREMENT: a deleted run's id is not handed out again.
    expect(Number(ins.run('running').lastInsertRowid)).toBe(id + 1);
    db.close();
  });
});
