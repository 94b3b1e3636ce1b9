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
import { startFakeServer, type FakeServer } from '../policy/fake-server';
import { fakePolicy, seedQuestions } from '../policy/fixtures';
import { runCli } from '../policy/run-cli';

let dir: string;
let dbPath: string;
let configPath: string;

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args, '--db', dbPath], { encoding: 'utf8', timeout: 120_000 });

/** What the app's API says, from a studio opened on the same database file. */
async function viaApi<T>(call: (api: ReturnType<typeof openStudio>['api']) => Promise<T>, path = dbPath): Promise<T> {
  const studio = openStudio({ dbPath: path });
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

describe('the model-server job commands through the StudioApi', () => {
  let server: FakeServer;
  let jobsDb: string;

  beforeAll(async () => {
    // Slow enough that a Ctrl-C lands while requests are in flight.
    server = await startFakeServer(async (r) => ({ ...fakePolicy(r), delayMs: 50 }));
    jobsDb = join(dir, 'jobs.db');
    const db = openDb(jobsDb);
    seedQuestions(db, 'test', 'BenchA', 4);
    db.close();
  });

  afterAll(async () => {
    await server?.close();
  });

  const common = () => ['--db', jobsDb, '--base-url', server.url, '--model', 'fake-vl', '--retries', '0'];

  it('`generate` runs a job that the API lists exactly as `jobs --json` prints it, and prints the API\'s own job', async () => {
    const g = await runCli(['generate', '--n', '2', '--json', ...common()]);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toMatch(/planned generate job \d+: 2 CoTs for each of 4 questions, 4 requests/);
    const generated = JSON.parse(g.stdout) as { jobId: number; sessionRequests: number };
    expect(generated).toMatchObject({ kind: 'generate', status: 'completed', counters: { done: 4, total: 4 }, sessionRequests: 4 });

    const printed = await runCli(['jobs', '--json', '--db', jobsDb]);
    expect(printed.code, printed.stderr).toBe(0);
    const listed = await viaApi((api) => api.listJobs(), jobsDb);
    expect(JSON.parse(printed.stdout)).toEqual({ jobs: listed });
    // The same PolicyJobInfo the run ended with; only this process's session count is not kept.
    expect(listed.find((j) => j.jobId === generated.jobId)).toEqual({ ...generated, sessionRequests: null });
    expect(JSON.parse((await runCli(['generate', '--status', '--json', '--db', jobsDb])).stdout)).toEqual({ jobs: listed });
  }, 60_000);

  it('Ctrl-C cancels the job through the API: it ends cancelled, says how to resume, and a re-run finishes it', async () => {
    const r = await runCli(['generate', '--n', '8', '--per-request', '1', '--concurrency', '1', '--new', ...common()], {}, (c) =>
      c.stderr!.on('data', (d: Buffer) => String(d).includes('fake-vl at') && setTimeout(() => c.kill('SIGINT'), 120)),
    );
    expect(r.stderr).toContain('stopping after the requests in flight');
    expect(r.code, r.stderr).toBe(1);
    const jobId = Number(/generate job (\d+) stopped with \d+ requests to go; `dreamprm generate --job \1` resumes it/.exec(r.stderr)?.[1]);
    expect((await viaApi((api) => api.listJobs(), jobsDb)).find((j) => j.jobId === jobId)).toMatchObject({ status: 'cancelled' });

    const resumed = await runCli(['generate', '--job', String(jobId), '--json', ...common()]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ jobId, status: 'completed', counters: { done: 32, failed: 0 } });
  }, 60_000);
});
