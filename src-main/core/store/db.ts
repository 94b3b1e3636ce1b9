import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors';
import { asDamage, assertSound, hasContent } from './integrity';
import { checkRegistry, LATEST_VERSION, MIGRATIONS, type Migration } from './migrations/index';

export type Db = Database.Database;

export interface OpenOptions {
  migrations?: readonly Migration[];
  /**
   * Run `PRAGMA quick_check` before anything else (commands that write: a damaged file is
   * refused before it is written to). Measured in the README, "What happens with bad input".
   */
  check?: boolean;
}

/**
 * Opens (creating if needed) a studio database and brings its schema up to date, keeping a
 * copy of the file from before each upgrade (`<file>.v<old version>.bak`). A damaged file is
 * refused with DatabaseDamagedError, which says what to do.
 */
export function openDb(path: string, options: OpenOptions | readonly Migration[] = {}): Db {
  // A list of migrations alone is the older form of the options.
  const opts: OpenOptions = Array.isArray(options) ? { migrations: options } : (options as OpenOptions);
  const existed = hasContent(path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch (e) {
    const damaged = asDamage(e, path);
    throw damaged !== e ? damaged : new UserError(`cannot open database ${path}: ${(e as Error).message}`);
  }
  try {
    if (existed && opts.check) assertSound(db, path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const migrations = opts.migrations ?? MIGRATIONS;
    if (existed && pendingMigrations(db, migrations)) backupBeforeMigration(db, path);
    migrate(db, migrations, path);
  } catch (e) {
    db.close();
    throw asDamage(e, path);
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** The path of the copy kept before upgrading from `version`. */
export function backupPath(dbPath: string, version: number): string {
  return `${dbPath}.v${version}.bak`;
}

function pendingMigrations(db: Db, migrations: readonly Migration[]): boolean {
  const current = schemaVersion(db);
  return current > 0 && migrations.some((m) => m.version > current);
}

/**
 * A consistent copy of the whole database (VACUUM INTO reads one snapshot, WAL included)
 * before a migration changes it; an older copy for the same version is replaced.
 */
function backupBeforeMigration(db: Db, dbPath: string): void {
  const target = backupPath(dbPath, schemaVersion(db));
  rmSync(target, { force: true });
  try {
    db.prepare('VACUUM INTO ?').run(target);
  } catch (e) {
    rmSync(target, { force: true });
    const damaged = asDamage(e, dbPath);
    if (damaged !== e) throw damaged;
    throw new UserError(
      `cannot keep a backup of ${dbPath} before upgrading its schema (${(e as Error).message}); ` +
        'nothing was changed: free some disk space next to the database, or copy it somewhere safe yourself and retry',
    );
  }
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
