/**
 * Damaged and foreign databases: a command that writes checks the file first (quick_check)
 * and refuses it with one message naming it and what to do; the file stays byte for byte as
 * it was. `dreamprm doctor` says what is wrong; a schema upgrade keeps a backup first.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupPath, openDb, schemaVersion } from '../../src-main/core/store/db';
import { LATEST_VERSION, MIGRATIONS } from '../../src-main/core/store/migrations/index';
import { canonical, jsonl, scratchDir } from '../data/helpers';
import { dreamprm, fingerprint } from './helpers';

let tmp: ReturnType<typeof scratchDir>;
let db: string;
let data: string;
beforeEach(async () => {
  tmp = scratchDir();
  db = join(tmp.dir, 'studio.db');
  data = tmp.file('a.jsonl', jsonl(Array.from({ length: 400 }, (_, i) => canonical({ qid: `q${i}`, question: `What is ${i} + 3? `.repeat(20) }))));
  expect((await dreamprm('import', data, '--db', db)).code).toBe(0);
  const s = new Database(db);
  s.pragma('wal_checkpoint(TRUNCATE)');
  s.close();
});
afterEach(() => tmp.cleanup());

/** Writes one page of garbage over the page of the steps table's primary-key index. */
function damage(path: string): void {
  const s = new Database(path, { readonly: true });
  const page = s.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_steps_1'`).pluck().get() as number;
  s.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, (page - 1) * 4096);
  closeSync(fd);
}

const ADVICE = /Nothing was changed\. To recover: restore a backup of it if you have one, or salvage what is readable with: sqlite3 \S+ \.dump \| sqlite3 recovered\.db && sqlite3 recovered\.db "PRAGMA user_version = \d+" — then use --db recovered\.db\. dreamprm doctor --db \S+ tells what is wrong\./;

describe('damaged and foreign databases', () => {
  it('41. garbage in the middle: import refuses it before writing, naming the file, the damage and the way back', async () => {
    damage(db);
    const bytes = readFileSync(db);
    const r = await dreamprm('import', tmp.file('b.jsonl', jsonl([canonical({ qid: 'new' })])), '--db', db);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^dreamprm: the database ${db} is damaged \\((quick_check|SQLite): `));
    expect(r.stderr).toMatch(ADVICE);
    expect(readFileSync(db).equals(bytes)).toBe(true);
  });

  it('42. garbage in the middle: train refuses it too, before a worker starts', async () => {
    damage(db);
    const r = await dreamprm('train', '--method', 'uniform', '--db', db);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is damaged .*tells what is wrong\.\n$/);
  });

  it('43. doctor names the damage and what to do, and exits 1', async () => {
    damage(db);
    const r = await dreamprm('doctor', '--db', db, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.verdict).toBe('error');
    const integrity = report.checks.find((c: { name: string }) => c.name === 'integrity');
    expect(integrity).toMatchObject({ status: 'error' });
    expect(integrity.advice).toMatch(/sqlite3 .* \.dump \| sqlite3 recovered\.db/);
  });

  it('44. a file that is not a database: refused, unchanged', async () => {
    const notDb = tmp.file('notes.db', 'these are my notes, not a database\n'.repeat(200));
    const bytes = readFileSync(notDb);
    const r = await dreamprm('import', data, '--db', notDb);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^dreamprm: the database ${notDb} is damaged \\(SQLite: file is not a database\\)\\. Nothing was changed\\.`));
    expect(readFileSync(notDb).equals(bytes)).toBe(true);
    const doctor = await dreamprm('doctor', '--db', notDb);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain('ERROR  file: not a SQLite database (its first bytes are not "SQLite format 3")');
  });

  it('45. a database from a newer version: refused with advice, unchanged', async () => {
    const s = new Database(db);
    s.pragma(`user_version = ${LATEST_VERSION + 1}`);
    s.close();
    const before = fingerprint(db);
    const r = await dreamprm('import', data, '--db', db);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`dreamprm: ${db} has schema version ${LATEST_VERSION + 1}, but this DreamPRM Studio knows only up to ${LATEST_VERSION}. Update the app, or open a different database with --db.\n`);
    expect(fingerprint(db)).toBe(before);
    const doctor = await dreamprm('doctor', '--db', db);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`ERROR  schema: schema version ${LATEST_VERSION + 1} is newer than this app knows (${LATEST_VERSION})\n         what to do: update DreamPRM Studio`);
    expect(fingerprint(db)).toBe(before);
  });

  it('46. images missing since import: doctor warns with what to do, and exits 0', async () => {
    await dreamprm('import', tmp.file('img.jsonl', jsonl([canonical({ qid: 'pic', images: ['gone.png'] })])), '--db', db);
    const r = await dreamprm('doctor', '--db', db);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warn   images: 1 image references have no image (the files were missing at import)\n         what to do: import the same data file again with --images DIR');
    expect(r.stdout).toMatch(/Verdict: usable \(see the warnings\)\.\n$/);
  });

  it('47. a healthy database: doctor says so and exits 0', async () => {
    const r = await dreamprm('doctor', '--db', db);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok {5}integrity: every page and index is sound \(integrity_check\)\n[\s\S]*Verdict: healthy\.\n$/);
  });
});

describe('a backup before each schema upgrade', () => {
  it('keeps a copy of the old version beside the database, which the damage message then offers', () => {
    const old = join(tmp.dir, 'old.db');
    const before = openDb(old, { migrations: MIGRATIONS.slice(0, 3) });
    before.prepare(`INSERT INTO domains (name, pool) VALUES ('kept', 'train')`).run();
    before.close();
    const upgraded = openDb(old);
    expect(schemaVersion(upgraded)).toBe(LATEST_VERSION);
    upgraded.close();
    const backup = backupPath(old, 3);
    expect(existsSync(backup)).toBe(true);
    const copy = new Database(backup, { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(3);
    expect(copy.prepare('SELECT name FROM domains').pluck().all()).toEqual(['kept']);
    copy.close();
    expect(statSync(backup).size).toBeGreaterThan(0);
    damage(old);
    expect(() => openDb(old, { check: true })).toThrow(`restore the backup dreamprm kept before its last schema upgrade (cp ${backup} ${old}; newer work is not in it)`);
  });

  it('openDb still takes a list of migrations alone (the older form of its options)', () => {
    const two = openDb(join(tmp.dir, 'two.db'), MIGRATIONS.slice(0, 2));
    expect(schemaVersion(two)).toBe(2);
    two.close();
  });

  it('a new database and an up-to-date one get no backup', () => {
    openDb(db).close();
    expect(existsSync(backupPath(db, LATEST_VERSION))).toBe(false);
    expect(existsSync(backupPath(join(tmp.dir, 'fresh.db'), 0))).toBe(false);
  });
});
