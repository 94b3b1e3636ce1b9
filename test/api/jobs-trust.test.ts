/**
 * In the app, a job's requests (and the API key) go only to a server named in this process:
 * the environment's, one set or planned with through the API here, or a stored one the user
 * confirmed (startJob/resumeJob with trustBaseUrl). A job or a settings row planted in the
 * database points at "planted", a recording fake server that must hear nothing until then.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planGenerateJob } from '../../src-main/core/policy/jobs';
import type { Db } from '../../src-main/core/store/db';
import { startFakeServer, type FakeServer } from '../policy/fake-server';
import { fakePolicy, generateConfig, seedQuestions } from '../policy/fixtures';
import { finalEvent, setupJobsApi, type JobsSetup } from './jobs-helpers';

const KEY = 'sk-user-secret-0123';
let planted: FakeServer;
let mine: FakeServer;
let s: JobsSetup | undefined;

beforeEach(async () => {
  planted = await startFakeServer(fakePolicy);
  mine = await startFakeServer(fakePolicy);
});

afterEach(async () => {
  await s?.handle.close();
  s?.db.close();
  s = undefined;
  await planted.close();
  await mine.close();
});

function setup(env: NodeJS.ProcessEnv = {}): JobsSetup {
  s = setupJobsApi({ DREAMPRM_API_KEY: KEY, ...env });
  seedQuestions(s.db, 'test', 'BenchA', 3);
  return s;
}

/** A job as a handed-over database would hold it: planned against the planted server. */
const plantedJob = (db: Db) => planGenerateJob(db, generateConfig(planted.url, 1)).jobId;

describe('starting a job whose stored server was not named in this process', () => {
  it('fails with UntrustedServerError naming the host, and nothing (no key) reaches that server', async () => {
    const { db, api } = setup();
    const jobId = plantedJob(db);
    const host = new URL(planted.url).host;
    for (const call of [() => api.startJob({ jobId }), () => api.resumeJob({ jobId })]) {
      await expect(call()).rejects.toMatchObject({ name: 'UntrustedServerError', message: expect.stringContaining(`host ${host}`) });
    }
    await expect(api.resumeJob({ jobId })).rejects.toThrow(/Confirm it on the Model server page/);
    expect((await api.listJobs())[0]).toMatchObject({ jobId, status: 'pending', runningHere: false });
    await new Promise((f) => setTimeout(f, 100));
    expect(planted.requests).toHaveLength(0);
  });

  it("runs there once trustBaseUrl repeats the job's URL (the key sent, never stored), and remembers that consent for this process", async () => {
    const { db, api, events } = setup();
    const jobId = plantedJob(db);
    await expect(api.startJob({ jobId, trustBaseUrl: mine.url })).rejects.toThrow(new RegExp(`is not job ${jobId}'s server`));
    await expect(api.startJob({ jobId, trustBaseUrl: 7 } as never)).rejects.toThrow(/startJob: trustBaseUrl/);
    expect(planted.requests).toHaveLength(0);

    await api.startJob({ jobId, trustBaseUrl: `${planted.url}/` });
    expect((await finalEvent(events, jobId)).status).toBe('completed');
    expect(planted.requests).toHaveLength(3);
    expect(planted.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    // the key went along but was never stored
    for (const table of ['jobs', 'job_requests', 'settings']) expect(JSON.stringify(db.prepare(`SELECT * FROM ${table}`).all())).not.toContain(KEY);
    const again = plantedJob(db);
    await api.startJob({ jobId: again });
    expect((await finalEvent(events, again)).status).toBe('completed');
  });
});

describe('a server named for the run (the CLI\'s --base-url or environment, through launch baseUrl)', () => {
  it('replaces the stored one: the requests and the key go only there, and the stored URL is not consented to', async () => {
    const { db, api, events } = setup();
    const jobId = plantedJob(db);
    await api.resumeJob({ jobId, baseUrl: mine.url, concurrency: 1, retries: 0, timeoutSeconds: 5 });
    expect((await finalEvent(events, jobId)).status).toBe('completed');
    expect(planted.requests).toHaveLength(0);
    expect(mine.requests).toHaveLength(3);
    expect(mine.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    for (const table of ['jobs', 'job_requests', 'settings']) expect(JSON.stringify(db.prepare(`SELECT * FROM ${table}`).all())).not.toContain(KEY);
    // naming another server for one run is no consent to the planted one
    await expect(api.startJob({ jobId: plantedJob(db) })).rejects.toMatchObject({ name: 'UntrustedServerError' });
    expect(planted.requests).toHaveLength(0);
  });
});

describe('which servers count as named in this process', () => {
  it("a base URL read from the settings table is not, even when the page saves it back unchanged; a new one set here is", async () => {
    const { db, api } = setup();
    db.prepare(`INSERT INTO settings (key, value) VALUES ('modelServer.baseUrl', ?), ('modelServer.model', 'fake-vl')`).run(planted.url);
    const fromSettings = await api.planGenerate({ n: 1 });
    expect(fromSettings.job.baseUrl).toBe(planted.url);
    await expect(api.startJob({ jobId: fromSettings.job.jobId })).rejects.toMatchObject({ name: 'UntrustedServerError' });
    await api.setModelServer({ baseUrl: planted.url, model: 'fake-vl' });
    await expect(api.startJob({ jobId: fromSettings.job.jobId })).rejects.toMatchObject({ name: 'UntrustedServerError' });
    expect(planted.requests).toHaveLength(0);

    await api.setModelServer({ baseUrl: mine.url });
    const ok = await api.planGenerate({ n: 1 });
    await expect(api.startJob({ jobId: ok.job.jobId })).resolves.toMatchObject({ status: 'running', baseUrl: mine.url });
  });

  it("the environment's server is, so a job stored against it starts without a question", async () => {
    const { db, api, events } = setup({ DREAMPRM_BASE_URL: mine.url });
    const { jobId } = planGenerateJob(db, generateConfig(mine.url, 1));
    await api.startJob({ jobId });
    expect((await finalEvent(events, jobId)).status).toBe('completed');
    expect(mine.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(planted.requests).toHaveLength(0);
  });
});
