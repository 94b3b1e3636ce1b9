import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors';
import { checkRegistry, LATEST_VERSION, MIGRATIONS, type Migration } from './migrations/index';

export type Db = Database.Database;

/** Opens (creating if needed) a studio database and brings its schema up to date. */
export function openDb(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch (e) {
    throw new UserError(`cannot open database ${path}: ${(e as Error).message}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations, path);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Runs every pending migration in one transaction; refuses a database newer than the code. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS, label = 'database'): void {
  checkRegistry(migrations);
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new UserError(
      `${label} has schema version ${current}, but this DreamPRM Studio knows only up to ${latest}. ` +
        'Update the app, or open a different database with --db.',
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return;
  db.transaction(() => {
    for (const m of pending) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  })();
}

export { LATEST_VERSION };
