import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src-main/core/store/db';
import { MIGRATIONS } from '../../src-main/core/store/migrations/index';

describe('migration 005 (annotations and explorer)', () => {
  it('upgrades a version-4 database, keeping its data, and adds its tables and indexes', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 4));
    db.prepare(`INSERT INTO domains (name, pool) VALUES ('bars', 'train')`).run();
    db.prepare(`INSERT INTO questions (ext_id, domain_id, text) VALUES ('Q-7', 1, 'How tall is bar A?')`).run();
    db.prepare(`INSERT INTO cots (question_id, ext_id, n_steps) VALUES (1, 'c1', 1)`).run();
    migrate(db, MIGRATIONS.slice(0, 5));
    expect(schemaVersion(db)).toBe(5);
    expect(db.prepare('SELECT count(*) FROM questions').pluck().get()).toBe(1);
    const names = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index')`).pluck().all();
    expect(names).toEqual(
      expect.arrayContaining(['settings', 'annotations', 'meta_promotions', 'explore_tables', 'run_inputs', 'questions_ext_nocase', 'questions_text_prefix']),
    );
    // Labels are 1, 0 or NULL; deleting a CoT deletes its annotations.
    const ins = db.prepare(`INSERT INTO annotations (cot_id, step_idx, value, annotator, created_at) VALUES (1, 0, ?, 'a', 'now')`);
    expect(() => ins.run(2)).toThrow(/CHECK constraint/);
    ins.run(1);
    db.prepare('DELETE FROM cots WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM annotations').pluck().get()).toBe(0);
    // A question search by id prefix reads the new index.
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT id FROM questions WHERE ext_id COLLATE NOCASE >= 'q' AND ext_id COLLATE NOCASE < 'q~'`)
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join()).toMatch(/USING COVERING INDEX questions_ext_nocase/);
    db.close();
  });
});
