import type { Command } from 'commander';
import { errorMessage, UserError } from '../core/errors';
import { defaultDbPath } from '../core/paths';
import { openDb, type Db } from '../core/store/db';

export interface CommonOptions {
  db?: string;
  json?: boolean;
}

/** Adds the options every command shares. */
export function withCommon(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'studio database (default: $DREAMPRM_HOME/studio.db)')
    .option('--json', 'print one JSON object on stdout; logs go to stderr');
}

export function dbPathOf(opts: CommonOptions): string {
  return opts.db ?? defaultDbPath();
}

/** A whole-number option of at least `min`, or a clear error naming the option; undefined stays undefined. */
export function intOption(name: string, raw: string, min: number): number;
export function intOption(name: string, raw: string | undefined, min: number): number | undefined;
export function intOption(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${name} must be a whole number of at least ${min} (got "${raw}")`);
  return n;
}

/** Logs go to stderr so that --json output on stdout stays parseable. */
export function log(message: string): void {
  process.stderr.write(message + '\n');
}

/**
 * Runs a command body: opens the database when asked, prints the result as JSON or text,
 * and turns any failure into a one-line reason with a non-zero exit code.
 */
export async function runAction<T>(
  opts: CommonOptions,
  body: (db: Db) => Promise<T> | T,
  render: (value: T) => string,
): Promise<void> {
  let db: Db | undefined;
  try {
    db = openDb(dbPathOf(opts));
    const value = await body(db);
    process.stdout.write((opts.json ? JSON.stringify(value) : render(value)) + '\n');
  } catch (e) {
    const reason = errorMessage(e);
    if (!(e instanceof UserError) && process.env.DREAMPRM_DEBUG) console.error(e);
    process.stderr.write(`dreamprm: ${reason}\n`);
    process.exitCode = 1;
  } finally {
    db?.close();
  }
}
