/**
 * The bad-input battery's tools: the real `dreamprm` command run in this process (the same
 * commander program as bin/dreamprm, so each case costs milliseconds, not a Node start), and a
 * fingerprint of everything a database stores, to show that a refused input changed nothing.
 */
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { createHash } from 'node:crypto';
import { COMMANDS } from '../../src-main/cli/commands';
import { defaultConfig } from '../../src-main/core/engine/config';
import type { Db } from '../../src-main/core/store/db';
import { createRun, finishRun, saveCheckpoint, setModelSpec } from '../../src-main/core/store/runs-store';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dreamprm ...args` in this process and returns its exit code and output. */
export async function dreamprm(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  const previous = process.exitCode;
  process.exitCode = 0;
  let code = 0;
  try {
    const program = new Command('dreamprm').exitOverride().configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
    for (const register of COMMANDS) register(program);
    await program.parseAsync(args, { from: 'user' });
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    // commander's own refusals (unknown option, missing argument) end here, as they end the real CLI
    code = (e as { exitCode?: number }).exitCode ?? 1;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = previous;
  }
  return { code, stdout, stderr };
}

/** A hash of every row of every table (WAL included): equal before and after means nothing was written. */
export function fingerprint(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const h = createHash('sha256');
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
    for (const t of tables) {
      h.update(t);
      for (const row of db.prepare(`SELECT * FROM "${t}"`).iterate()) h.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
    }
    h.update(String(db.pragma('user_version', { simple: true })));
    return h.digest('hex');
  } finally {
    db.close();
  }
}

export function count(dbPath: string, table: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

/**
 * A finished uniform run as the trainer leaves it (config, model spec, a checkpoint), without
 * training: enough for the cold-start checks, which read only those.
 */
export function uniformRun(db: Db, status: 'completed' | 'failed' = 'completed', method: 'uniform' | 'domain' = 'uniform'): number {
  const config = defaultConfig(method);
  const runId = createRun(db, { method, config, totalSteps: config.steps, backend: 'wasm', name: `${method} ${status}` });
  setModelSpec(db, runId, { model: config.model });
  saveCheckpoint(db, runId, 10, Buffer.from('weights'));
  finishRun(db, runId, status, status === 'failed' ? { error: 'stopped' } : {});
  return runId;
}
