/**
 * One front door: the CLI drives the same StudioApi the app uses, so `dreamprm runs list --json`
 * is exactly the API's listRuns, and a run trained from the CLI shows the RunSummary the app shows.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src-main/core/store/db';
import { openStudio } from '../../src-main/worker/open-studio';
import { insertSynth, synthCorpus } from '../engine/synthetic';

let dir: string;
let dbPath: string;
let configPath: string;

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args, '--db', dbPath], { encoding: 'utf8', timeout: 120_000 });

/** What the app's API says, from a studio opened on the same database file. */
async function viaApi<T>(call: (api: ReturnType<typeof openStudio>['api']) => Promise<T>): Promise<T> {
  const studio = openStudio({ dbPath });
  try {
    return await call(studio.api);
  } finally {
    await studio.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dreamprm-front-door-'));
  dbPath = join(dir, 'studio.db');
  configPath = join(dir, 'tiny.json');
  const db = openDb(dbPath);
  await insertSynth(db, synthCorpus(5, [{ name: 'clean', cots: 12, corrupt: 0 }, { name: 'noisy', cots: 12, corrupt: 0.5 }], 8));
  db.close();
  const model = { embedDim: 8, patchChannels: 4, readerHeads: 1, hidden: 8, bigramBuckets: 16 };
  writeFileSync(configPath, JSON.stringify({ batchSize: 4, metaBatchSize: 4, checkpointEvery: 2, metricsEvery: 2, model }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI through the StudioApi', () => {
  it('lists no runs exactly as the API does', async () => {
    const r = cli('runs', 'list', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(await viaApi((api) => api.listRuns()));
  });

  it('trains a run the app then shows with the same RunSummary, and `runs show` is the API\'s getRun', async () => {
    const t = cli('train', '--method', 'domain', '--config', configPath, '--steps', '4', '--backend', 'wasm', '--name', 'from the CLI', '--json');
    expect(t.status, t.stderr).toBe(0);
    const out = JSON.parse(t.stdout) as { runId: number; status: string };
    expect(out.status).toBe('completed');

    const list = JSON.parse(cli('runs', 'list', '--json').stdout);
    const apiRuns = await viaApi((api) => api.listRuns());
    expect(list).toEqual(apiRuns);
    expect(list.find((r: { runId: number }) => r.runId === out.runId)).toMatchObject({ name: 'from the CLI', status: 'completed', step: 4 });
    // Only the API's summary fields: the store's owner and heartbeat stay in the store.
    expect(Object.keys(list[0])).not.toContain('ownerPid');

    const show = JSON.parse(cli('runs', 'show', String(out.runId), '--json').stdout);
    expect(show).toEqual(await viaApi((api) => api.getRun({ runId: out.runId })));
  }, 120_000);

  it('Ctrl-C cancels the run through the API: it checkpoints, ends cancelled, and the command exits 130', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src-main/cli/main.ts', 'train', '--method', 'uniform', '--config', configPath, '--steps', '100000', '--backend', 'wasm', '--db', dbPath, '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    // The first progress line says training has begun; then Ctrl-C.
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
        if (/step \d+\/100000/.test(stderr)) resolve();
      }),
    );
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/cancelling run \d+ at the next step/);
    const out = JSON.parse(stdout) as { runId: number; status: string };
    expect(out.status).toBe('cancelled');
    const run = await viaApi((api) => api.getRun({ runId: out.runId }));
    expect(run).toMatchObject({ status: 'cancelled' });
    expect(run.lastCheckpointStep).not.toBeNull();
  }, 120_000);
});
