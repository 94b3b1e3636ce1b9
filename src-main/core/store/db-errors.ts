/** SQLite's own errors ("database is locked", "disk I/O error") say nothing of which file: add it. */
import { UserError } from '../errors';

function isSqliteError(e: unknown): e is Error & { code?: string } {
  return e instanceof Error && (e.name === 'SqliteError' || /^SQLITE_/.test(String((e as { code?: unknown }).code ?? '')));
}

/**
 * A SQLite error as a sentence naming the database file and what to try; any other error is
 * returned as it is.
 */
export function namingDatabase(e: unknown, dbPath: string): unknown {
  if (!isSqliteError(e)) return e;
  const code = e.code ?? '';
  const hint =
    code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
      ? ': another process holds it; try again when it finishes'
      : code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')
        ? ': the file is damaged or not a studio database; open another one with --db'
        : code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')
          ? ': check that the file and its folder exist and are writable'
          : '';
  return new UserError(`database ${dbPath}: ${e.message}${hint}`);
}
