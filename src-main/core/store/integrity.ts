/**
 * A damaged database said once, clearly, with what to do: SQLite's corruption errors (from a
 * quick check on open, or from any statement later) become one DatabaseDamagedError naming the
 * file, what SQLite found, the backups beside it and how to recover.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors';

/** SQLite's result codes for a damaged file (extended codes start with these). */
const DAMAGE_CODES = ['SQLITE_CORRUPT', 'SQLITE_NOTADB'];
const DAMAGE_MESSAGES = /database disk image is malformed|file is not a database|malformed database schema/i;

export class DatabaseDamagedError extends UserError {
  override name = 'DatabaseDamagedError';
}

export function isDamage(e: unknown): boolean {
  if (e instanceof DatabaseDamagedError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DAMAGE_CODES.some((c) => code.startsWith(c))) return true;
  return e instanceof Error && DAMAGE_MESSAGES.test(e.message);
}

/** Backups `dreamprm` keeps beside a database (one per schema upgrade), newest first. */
export function backupsOf(dbPath: string): string[] {
  const dir = dirname(dbPath);
  if (!existsSync(dir)) return [];
  const prefix = `${basename(dbPath)}.v`;
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.bak'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}

/**
 * The schema version written in the file's header (bytes 60-63, big-endian), readable even
 * when pages further in are damaged; null when the file has no SQLite header.
 */
export function headerVersion(dbPath: string): number | null {
  if (!hasContent(dbPath)) return null;
  const head = Buffer.alloc(64);
  const fd = openSync(dbPath, 'r');
  try {
    if (readSync(fd, head, 0, 64, 0) < 64) return null;
  } finally {
    closeSync(fd);
  }
  return head.toString('latin1', 0, 16) === 'SQLite format 3\u0000' ? head.readUInt32BE(60) : null;
}

/**
 * How to get a sound database back: restore the newest backup, or salvage what is readable
 * with the sqlite3 shell. `.dump` (not `.recover`, which many sqlite3 builds lack) carries no
 * schema version, so the salvaged copy is told its version afterwards.
 */
export function recoverySteps(dbPath: string): string {
  const backups = backupsOf(dbPath);
  const restore = backups.length
    ? `restore the backup dreamprm kept before its last schema upgrade (cp ${backups[0]} ${dbPath}; newer work is not in it)`
    : 'restore a backup of it if you have one';
  const version = headerVersion(dbPath);
  const stamp = version ? ` && sqlite3 recovered.db "PRAGMA user_version = ${version}"` : '';
  return `${restore}, or salvage what is readable with: sqlite3 ${dbPath} .dump | sqlite3 recovered.db${stamp} — then use --db recovered.db`;
}

/** What a command says after refusing a damaged database. */
export function recoveryAdvice(dbPath: string): string {
  return `Nothing was changed. To recover: ${recoverySteps(dbPath)}. dreamprm doctor --db ${dbPath} tells what is wrong.`;
}

export function damagedError(dbPath: string, detail: string): DatabaseDamagedError {
  return new DatabaseDamagedError(`the database ${dbPath} is damaged (${detail}). ${recoveryAdvice(dbPath)}`);
}

/** A corruption error from SQLite as the one message; anything else unchanged. */
export function asDamage(e: unknown, dbPath: string): unknown {
  if (e instanceof DatabaseDamagedError || !isDamage(e)) return e;
  return damagedError(dbPath, `SQLite: ${(e as Error).message}`);
}

/** The first problems `PRAGMA quick_check` finds, or [] when the file is sound. */
export function quickCheckProblems(db: { pragma(source: string): unknown }, limit = 5): string[] {
  const rows = db.pragma(`quick_check(${limit})`) as { quick_check: string }[];
  return rows
    .map((r) => r.quick_check)
    .filter((m) => m !== 'ok')
    .map((m) => m.replace(/^\*\*\* in database \w+ \*\*\*\s*/, '').replace(/\s+/g, ' ').trim());
}

/** Throws DatabaseDamagedError when quick_check finds anything (run before a command writes). */
export function assertSound(db: { pragma(source: string): unknown }, dbPath: string): void {
  let problems: string[];
  try {
    problems = quickCheckProblems(db);
  } catch (e) {
    throw asDamage(e, dbPath);
  }
  if (problems.length) throw damagedError(dbPath, `quick_check: ${problems.join('; ')}`);
}

/** The file exists and is not empty: a new database has nothing to check yet. */
export function hasContent(dbPath: string): boolean {
  return dbPath !== ':memory:' && existsSync(dbPath) && statSync(dbPath).size > 0;
}
