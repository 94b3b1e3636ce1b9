/**
 * The API key goes only to a server named in this process. A studio.db handed over by
 * someone else may hold an unfinished job whose stored base URL points at their server; a
 * plain re-run of `dreamprm generate` resumes it. These tests run the real CLI against two
 * recording fake servers: "planted" (the stored URL) and "mine" (the user's).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planGenerateJob } from '../../src-main/core/policy/jobs';
import { openDb } from '../../src-main/core/store/db';
import { startFakeServer, type FakeServer } from './fake-server';
import { fakePolicy, generateConfig, seedQuestions } from './fixtures';
import { runCli } from './run-cli';

const KEY = 'sk-user-secret-0123';
let planted: FakeServer;
let mine: FakeServer;
let dbPath: string;

beforeEach(async () => {
  planted = await startFakeServer(fakePolicy);
  mine = await startFakeServer(fakePolicy);
  dbPath = join(mkdtempSync(join(tmpdir(), 'trust-')), 'studio.db');
  const db = openDb(dbPath);
  seedQuestions(db, 'test', 'BenchA', 3);
  planGenerateJob(db, generateConfig(planted.url, 2)); // the unfinished job in the handed-over database
  db.close();
});

afterEach(async () => {
  await planted.close();
  await mine.close();
});

const generate = (extra: string[], env: NodeJS.ProcessEnv) =>
  runCli(['generate', '--db', dbPath, '--model', 'fake-vl', '--retries', '0', '--json', ...extra], { DREAMPRM_API_KEY: KEY, ...env });

describe('resuming a stored job from the CLI', () => {
  it('without --base-url or DREAMPRM_BASE_URL refuses, names the stored host and how to consent, and sends nothing there', async () => {
    const r = await generate([], {});
    expect(r.code).toBe(1);
    const host = new URL(planted.url).host;
    expect(r.stderr).toContain(`host ${host}`);
    expect(r.stderr).toContain(`pass --base-url ${planted.url}`);
    expect(planted.requests).toHaveLength(0);
    const db = openDb(dbPath);
    expect(db.prepare(`SELECT count(*) FROM job_requests WHERE status = 'pending'`).pluck().get()).toBe(3);
    db.close();
  }, 30_000);

  it("the environment's server wins over the stored one, the CLI says so, and the key goes only there", async () => {
    const r = await generate([], { DREAMPRM_BASE_URL: mine.url });
    expect(r.stderr).toContain(`was planned against ${planted.url}; using ${mine.url} (the environment) instead`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'completed', counters: { done: 3 } });
    expect(planted.requests).toHaveLength(0);
    expect(mine.requests).toHaveLength(3);
    expect(mine.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  }, 30_000);

  it('--base-url naming the stored server is consent: the job runs there, with the key', async () => {
    const r = await generate(['--base-url', planted.url], {});
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('instead');
    expect(planted.requests).toHaveLength(3);
    expect(planted.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  }, 30_000);
});
