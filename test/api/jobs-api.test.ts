/**
 * Model-server jobs through the studio's API, against the local fake OpenAI-compatible server:
 * settings (the API key never stored), planning, running with throttled job-progress events,
 * cancel and a resume that sends no finished request again, and the errors a person sees.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PROGRESS_EVERY_MS, type JobsApiHandle } from '../../src-main/core/api/jobs-api';
import type { PolicyJobInfo } from '../../src-main/core/api/types';
import type { Db } from '../../src-main/core/store/db';
import { chatReply, startFakeServer, type FakeServer } from '../policy/fake-server';
import { fakePolicy, requestPrompts, seedCot, seedQuestions } from '../policy/fixtures';
import { finalEvent, setupJobsApi } from './jobs-helpers';

let server: FakeServer | undefined;
let db: Db | undefined;
let handle: JobsApiHandle | undefined;
afterEach(async () => {
  await handle?.close();
  await server?.close();
  db?.close();
  handle = server = db = undefined;
});

function setup(env: NodeJS.ProcessEnv = {}) {
  const s = setupJobsApi(env);
  db = s.db;
  handle = s.handle;
  return s;
}

describe('model-server settings', () => {
  it('stores base URL, model, prices and concurrency; keeps the API key in memory only', async () => {
    const { db, api } = setup();
    expect(await api.getModelServer()).toEqual({
      baseUrl: null,
      model: null,
      pricePromptPer1k: null,
      priceCompletionPer1k: null,
      concurrency: 4,
      apiKeySource: null,
    });
    const s = await api.setModelServer({
      baseUrl: 'http://127.0.0.1:8000/v1/',
      model: 'Qwen/Qwen2.5-VL-7B-Instruct',
      pricePromptPer1k: 0.5,
      priceCompletionPer1k: 1.5,
      concurrency: 8,
      apiKey: 'sk-secret-123',
    });
    expect(s).toEqual({
      baseUrl: 'http://127.0.0.1:8000/v1',
      model: 'Qwen/Qwen2.5-VL-7B-Instruct',
      pricePromptPer1k: 0.5,
      priceCompletionPer1k: 1.5,
      concurrency: 8,
      apiKeySource: 'session',
    });
    const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain('sk-secret');
    // null clears a field
    expect((await api.setModelServer({ pricePromptPer1k: null, apiKey: null })).pricePromptPer1k).toBeNull();
    expect((await api.getModelServer()).apiKeySource).toBeNull();
  });

  it('says where the key comes from when the environment has one, and refuses bad values', async () => {
    const { api } = setup({ DREAMPRM_API_KEY: 'env-key' });
    expect((await api.getModelServer()).apiKeySource).toBe('environment');
    await expect(api.setModelServer({ baseUrl: 'localhost:8000' })).rejects.toThrow(/must start with http/);
    await expect(api.setModelServer({ concurrency: 0 })).rejects.toThrow(/setModelServer: concurrency/);
    await expect(api.setModelServer({ pricePromptPer1k: -1 } as never)).rejects.toThrow(/pricePromptPer1k/);
  });
});

describe('model-server jobs through the API', () => {
  it('plans a generate job from the settings, runs it with throttled progress events and a cost', async () => {
    server = await startFakeServer(async (r) => ({ ...fakePolicy(r), delayMs: 40 }));
    const { db, api, events } = setup();
    seedQuestions(db, 'test', 'BenchA', 12);
    await api.setModelServer({ baseUrl: server.url, model: 'fake-vl', pricePromptPer1k: 0.5, priceCompletionPer1k: 1.5, concurrency: 1, apiKey: 'sk-test' });

    const plan = await api.planGenerate({ n: 2 });
    expect(plan).toMatchObject({ requests: 12, items: 12, withoutAnswer: 0 });
    expect(plan.job).toMatchObject({ kind: 'generate', status: 'pending', pool: 'test', samples: 2, model: 'fake-vl', baseUrl: server.url });
    expect(plan.job.counters).toMatchObject({ total: 12, done: 0, pending: 12 });

    const started = await api.startJob({ jobId: plan.job.jobId });
    expect(started).toMatchObject({ status: 'running', runningHere: true });
    await expect(api.startJob({ jobId: plan.job.jobId })).rejects.toThrow(/one model-server job at a time/);

    const last = await finalEvent(events, plan.job.jobId);
    expect(last.status).toBe('completed');
    expect(last.counters).toEqual({ total: 12, done: 12, failed: 0, pending: 0, promptTokens: 1200, completionTokens: 480 });
    expect(last.cost).toBeCloseTo(1.2 * 0.5 + 0.48 * 1.5, 9);
    expect(last.runningHere).toBe(false);

    const live = events.filter((e) => e.status === 'running');
    expect(live.length).toBeGreaterThanOrEqual(2);
    // ≤ 5 events a second: 12 requests of ≥ 40 ms each would otherwise give 12
    expect(live.length).toBeLessThan(12);
    for (let i = 1; i < live.length; i++) expect(live[i].at - live[i - 1].at).toBeGreaterThanOrEqual(PROGRESS_EVERY_MS - 20);
    expect(live.every((e, i) => i === 0 || e.counters.done >= live[i - 1].counters.done)).toBe(true);
    expect(live.some((e) => (e.requestsPerSecond ?? 0) > 0)).toBe(true);

    // the session key went along, and the stored job reads back the same
    expect(server.requests.every((r) => r.headers.authorization === 'Bearer sk-test')).toBe(true);
    const [listed] = await api.listJobs();
    expect(listed).toMatchObject({ jobId: plan.job.jobId, status: 'completed', cost: last.cost, counters: last.counters });
    await expect(api.startJob({ jobId: plan.job.jobId })).rejects.toThrow(/already completed/);
    await expect(api.resumeJob({ jobId: plan.job.jobId })).rejects.toThrow(/already completed/);
  });

  it('cancels a running job at once and resumes it without redoing a finished request', async () => {
    server = await startFakeServer(async (r) => ({ ...fakePolicy(r), delayMs: 60 }));
    const { db, api, events } = setup();
    seedQuestions(db, 'test', 'BenchA', 16);
    const plan = await api.planGenerate({ n: 1, baseUrl: server.url, model: 'fake-vl', concurrency: 2 });
    const jobId = plan.job.jobId;
    await api.startJob({ jobId });
    await expect.poll(() => events.filter((e) => e.counters.done >= 3).length, { timeout: 10_000 }).toBeGreaterThan(0);

    const cancelled = await api.cancelJob({ jobId });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.runningHere).toBe(false);
    expect(cancelled.counters.pending).toBeGreaterThan(0);
    expect((await finalEvent(events, jobId)).status).toBe('cancelled');
    await expect(api.startJob({ jobId })).rejects.toThrow(/resume it instead/);
    await server.idle();
    const doneBefore = new Set(
      db.prepare(`SELECT key FROM job_requests WHERE job_id = ? AND status = 'done'`).pluck().all(jobId) as string[],
    );
    expect(doneBefore.size).toBe(cancelled.counters.done);

    events.length = 0;
    await api.resumeJob({ jobId });
    const last = await finalEvent(events, jobId);
    expect(last.status).toBe('completed');
    expect(last.counters).toMatchObject({ total: 16, done: 16, pending: 0 });
    await server.idle();
    for (const r of requestPrompts(db, jobId)) {
      if (doneBefore.has(r.key)) expect(server.hits.get(r.prompt), `request ${r.key}`).toBe(1);
      else expect(server.hits.get(r.prompt)).toBeGreaterThanOrEqual(1);
    }
    // one CoT per question, none twice
    expect(db.prepare(`SELECT count(*) FROM cots`).pluck().get()).toBe(16);
  });

  it('plans and runs a label job on the train pool with K rollouts', async () => {
    server = await startFakeServer(fakePolicy);
    const { db, api, events } = setup();
    const [q] = seedQuestions(db, 'train', 'TrainA', 1);
    seedCot(db, q, 'c1', ['Step 1: read.', 'Step 2: add.', 'Final answer: 41']);
    const plan = await api.planLabel({ k: 4, baseUrl: server.url, model: 'fake-vl' });
    expect(plan.job).toMatchObject({ kind: 'label', pool: 'train', samples: 4 });
    expect(plan).toMatchObject({ items: 1, requests: 2 });
    await api.startJob({ jobId: plan.job.jobId });
    expect((await finalEvent(events, plan.job.jobId)).status).toBe('completed');
    expect(db.prepare(`SELECT count(*) FROM steps WHERE mc IS NOT NULL`).pluck().get()).toBe(3);
  });

  it('reports the errors as the core words them: no server given, 401, unreachable, unknown job', async () => {
    const { db, api, events } = setup();
    seedQuestions(db, 'test', 'BenchA', 2);
    await expect(api.planGenerate({ n: 2 })).rejects.toThrow(/no model server given/);
    await expect(api.planGenerate({ n: 0, baseUrl: 'http://127.0.0.1:1/v1', model: 'm' })).rejects.toThrow(/planGenerate: n/);
    await expect(api.planLabel({ k: 2, baseUrl: 'http://127.0.0.1:1/v1', model: 'm' })).rejects.toThrow(/train pool has no/);
    await expect(api.startJob({ jobId: 99 })).rejects.toThrow(/no model-server job 99/);
    await expect(api.cancelJob({ jobId: 99 })).rejects.toThrow(/no job 99/);

    server = await startFakeServer(() => ({ status: 401, body: { error: { message: 'invalid api key' } } }));
    const denied = await api.planGenerate({ n: 2, baseUrl: server.url, model: 'fake-vl' });
    await api.startJob({ jobId: denied.job.jobId });
    const d = await finalEvent(events, denied.job.jobId);
    expect(d.status).toBe('failed');
    expect(d.error).toMatch(/2 of 2 requests failed.*401.*check the API key/);

    // a port nobody listens on: retried, then recorded with the network error
    const closed = await startFakeServer(() => ({ body: chatReply(['x']) }));
    const deadUrl = closed.url;
    await closed.close();
    const gone = await api.planGenerate({ n: 1, baseUrl: deadUrl, model: 'fake-vl' });
    await api.startJob({ jobId: gone.job.jobId });
    const g = await finalEvent(events, gone.job.jobId);
    expect(g.status).toBe('failed');
    expect(g.error).toMatch(/requests failed/);
    const listed = (await api.listJobs()).map((j: PolicyJobInfo) => [j.jobId, j.status]);
    expect(listed).toEqual([
      [gone.job.jobId, 'failed'],
      [denied.job.jobId, 'failed'],
    ]);
  });
});
