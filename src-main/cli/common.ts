import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { errorMessage, UserError } from '../core/errors';
import { defaultDbPath } from '../core/paths';
import { openDb, type Db } from '../core/store/db';
import { namingDatabase } from '../core/store/db-errors';
import { asDamage } from '../core/store/integrity';
import type { StudioApi } from '../core/api/studio-api';
import type { StudioService } from '../core/api/service';
import { openStudio } from '../worker/open-studio';

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
 * Refuses a database file that does not exist, so that a misspelt --db is an error instead of
 * a new empty database (only commands that bring data in create one).
 */
export function requireDatabase(opts: CommonOptions): void {
  const path = dbPathOf(opts);
  if (path === ':memory:' || existsSync(path)) return;
  if (opts.db === undefined) {
    throw new UserError(`no studio database yet at ${path}: bring data in first with \`dreamprm import FILE\`, \`dreamprm sample --import\` or \`dreamprm demo\``);
  }
  throw new UserError(
    `no database at ${path} (nothing was created): check the --db path, or create one with \`dreamprm import FILE --db ${path}\``,
  );
}

/**
 * Runs a command body: opens the database (which must exist unless `creates`: the commands
 * that bring data in), prints the result as JSON or text, and turns any failure into a
 * one-line reason with a non-zero exit code; SQLite's own errors name the database file. A
 * command that writes (all but `read`) first has SQLite check the file (quick_check): a damaged
 * database is refused before anything is written, with what to do; a damage found later says
 * the same.
 */
export async function runAction<T>(
  opts: CommonOptions,
  body: (db: Db) => Promise<T> | T,
  render: (value: T) => string,
  access: { creates?: boolean; read?: boolean } = {},
): Promise<void> {
  let db: Db | undefined;
  const path = dbPathOf(opts);
  try {
    if (!access.creates) requireDatabase(opts);
    db = openDb(path, { check: !access.read });
    const value = await body(db);
    process.stdout.write((opts.json ? JSON.stringify(value) : render(value)) + '\n');
  } catch (raw) {
    const e = namingDatabase(asDamage(raw, path), path);
    const reason = errorMessage(e);
    if (!(e instanceof UserError) && process.env.DREAMPRM_DEBUG) console.error(e);
    process.stderr.write(`dreamprm: ${reason}\n`);
    process.exitCode = 1;
  } finally {
    db?.close();
  }
}

/**
 * Runs a command body against the same in-process StudioApi the app uses (one front door):
 * runAction's checks and error handling, then a studio over that open database, always closed
 * afterwards (closing stops any training worker the command started).
 */
export async function withStudio<T>(
  opts: CommonOptions,
  body: (api: StudioApi, service: StudioService) => Promise<T>,
  render: (value: T) => string,
  access: { creates?: boolean; read?: boolean } = {},
): Promise<void> {
  await runAction(
    opts,
    async (db) => {
      const service = openStudio({ dbPath: dbPathOf(opts), db });
      try {
        return await body(service.api, service);
      } finally {
        await service.close();
      }
    },
    render,
    access,
  );
}

/**
 * "what done/total" progress on stderr: redrawn in place on a terminal; elsewhere (a log file,
 * CI) a whole line at each tenth, so nothing is left half-written or full of carriage returns.
 */
export function counterProgress(what: string, tty = process.stderr.isTTY === true): { update: (done: number, total: number) => void; done: () => void } {
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done, total) {
      const text = `${what} ${done}/${total}`;
      if (tty) {
        process.stderr.write(`\r${text}\x1b[K`);
        drawn = true;
        return;
      }
      const tenth = total ? Math.floor((10 * done) / total) : 10;
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      log(text);
    },
    done() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}
