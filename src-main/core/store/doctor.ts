/**
 * `dreamprm doctor`: looks at a database without changing it (opened read-only, never
 * migrated) and says what is wrong and what to do: not a database, a schema newer or older
 * than this app, damaged pages (a full integrity_check), broken references, images that were
 * missing at import, and the backups kept beside it.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { LATEST_VERSION } from './migrations/index';
import { backupsOf, headerVersion, recoverySteps } from './integrity';

export type CheckStatus = 'ok' | 'warn' | 'error';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  /** what to do, when something is wrong */
  advice: string | null;
}

export interface DoctorReport {
  path: string;
  bytes: number;
  schemaVersion: number | null;
  /** error: the database cannot be trusted; warn: usable, with something to know; ok */
  verdict: CheckStatus;
  checks: DoctorCheck[];
  backups: { path: string; bytes: number; modifiedAt: string }[];
  seconds: number;
}

const check = (name: string, status: CheckStatus, detail: string, advice: string | null = null): DoctorCheck => ({ name, status, detail, advice });

export function examine(path: string): DoctorReport {
  const t0 = performance.now();
  const checks: DoctorCheck[] = [];
  const bytes = existsSync(path) ? statSync(path).size : 0;
  const report = (schemaVersion: number | null): DoctorReport => ({
    path,
    bytes,
    schemaVersion,
    verdict: checks.some((c) => c.status === 'error') ? 'error' : checks.some((c) => c.status === 'warn') ? 'warn' : 'ok',
    checks,
    backups: backupsOf(path).map((p) => ({ path: p, bytes: statSync(p).size, modifiedAt: statSync(p).mtime.toISOString() })),
    seconds: (performance.now() - t0) / 1000,
  });
  const file = fileCheck(path, bytes);
  checks.push(file);
  if (file.status !== 'ok') return report(null);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    checks.push(check('open', 'error', `SQLite cannot open it: ${(e as Error).message}`, recoverySteps(path)));
    return report(null);
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    checks.push(schemaCheck(version), integrityCheck(db, path));
    if (version > 0 && !checks.some((c) => c.status === 'error')) checks.push(foreignKeyCheck(db), imageCheck(db));
    return report(version);
  } catch (e) {
    checks.push(check('read', 'error', `SQLite: ${(e as Error).message}`, recoverySteps(path)));
    return report(null);
  } finally {
    db.close();
  }
}

function fileCheck(path: string, bytes: number): DoctorCheck {
  if (!existsSync(path)) return check('file', 'error', `no file at ${path}`, 'give the database with --db PATH (dreamprm uses $DREAMPRM_HOME/studio.db by default)');
  if (!statSync(path).isFile()) return check('file', 'error', `${path} is not a regular file`, 'give the database file itself with --db PATH');
  if (bytes === 0) return check('file', 'warn', 'the file is empty: a new database, nothing in it yet', null);
  if (headerVersion(path) === null) {
    return check('file', 'error', 'not a SQLite database (its first bytes are not "SQLite format 3")', `give the right file with --db, or ${recoverySteps(path)}`);
  }
  return check('file', 'ok', `a SQLite database of ${(bytes / 1e6).toFixed(1)} MB`);
}

function schemaCheck(version: number): DoctorCheck {
  if (version === 0) return check('schema', 'warn', 'no studio schema yet (version 0): not a DreamPRM Studio database, or a new one', 'check the --db path');
  if (version > LATEST_VERSION) {
    return check('schema', 'error', `schema version ${version} is newer than this app knows (${LATEST_VERSION})`, 'update DreamPRM Studio; this version must not write to it');
  }
  if (version < LATEST_VERSION) {
    return check('schema', 'warn', `schema version ${version}; this app upgrades it to ${LATEST_VERSION} the next time a command writes`, 'nothing to do: a backup is kept beside it before the upgrade');
  }
  return check('schema', 'ok', `schema version ${version}, this app's`);
}

/** The full check (every page, every index against its table): slower than quick_check, for when something is wrong. */
function integrityCheck(db: Database.Database, path: string): DoctorCheck {
  let problems: string[];
  try {
    const rows = db.pragma('integrity_check(20)') as { integrity_check: string }[];
    problems = rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
  } catch (e) {
    // Some damage stops the check itself.
    problems = [`SQLite: ${(e as Error).message}`];
  }
  if (!problems.length) return check('integrity', 'ok', 'every page and index is sound (integrity_check)');
  const shown = problems.map((p) => p.replace(/\s+/g, ' ')).slice(0, 5).join('; ');
  return check('integrity', 'error', `damaged: ${shown}${problems.length > 5 ? '; …' : ''}`, recoverySteps(path));
}

function foreignKeyCheck(db: Database.Database): DoctorCheck {
  const rows = db.pragma('foreign_key_check') as { table: string }[];
  if (!rows.length) return check('references', 'ok', 'every reference points to an existing row');
  const per = new Map<string, number>();
  for (const r of rows) per.set(r.table, (per.get(r.table) ?? 0) + 1);
  const list = [...per].map(([t, n]) => `${t} ${n}`).join(', ');
  return check('references', 'error', `rows refer to rows that are gone: ${list}`, 'the file was changed outside dreamprm: restore a backup, or export what you need and import it into a new database');
}

function imageCheck(db: Database.Database): DoctorCheck {
  const missing = db.prepare('SELECT count(*) FROM question_images WHERE image_id IS NULL').pluck().get() as number;
  if (!missing) return check('images', 'ok', 'every image reference has its image');
  return check(
    'images',
    'warn',
    `${missing.toLocaleString('en')} image references have no image (the files were missing at import)`,
    'import the same data file again with --images DIR (the folder that holds them): the references are filled in',
  );
}
