/** JobsState: the model-server form, planning and starting jobs, the untrusted-server question, and job events. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ModelServerSettings, PlannedJob, PolicyJobInfo } from '../../src-main/core/api/types';
import { JobsState } from '../../src-renderer/src/lib/jobs-state.svelte';
import { deferred, failing, fakeStudio, settle, type FakeApi } from './fake-studio';
import { job } from './fixtures';

afterEach(() => vi.useRealTimers());

const settings = (over: Partial<ModelServerSettings> = {}): ModelServerSettings => ({
  baseUrl: 'http://models.example:8000/v1',
  model: 'policy',
  pricePromptPer1k: 0.5,
  priceCompletionPer1k: null,
  concurrency: 8,
  apiKeySource: null,
  ...over,
});

const planned = (jobId: number, over: Partial<PlannedJob> = {}): PlannedJob => ({ job: job({ jobId }), requests: 3, items: 12, withoutAnswer: 0, ...over });

function jobsApi(extra: FakeApi = {}): FakeApi {
  return {
    getModelServer: async () => settings(),
    setModelServer: async (req) => settings({ ...req, apiKeySource: req.apiKey ? 'session' : null }),
    listJobs: async () => [job({ jobId: 2, status: 'completed' })],
    planGenerate: async () => planned(5),
    planEmbed: async () => planned(6, { items: 1200, requests: 40, estimatedTokens: 30000, estimatedCost: 0.012 }),
    planScore: async () => planned(7),
    startJob: async ({ jobId }) => job({ jobId, status: 'running', runningHere: true }),
    ...extra,
  };
}

async function loaded(extra: FakeApi = {}) {
  const studio = fakeStudio(jobsApi(extra));
  const jobs = new JobsState(studio.app);
  await jobs.load();
  return { studio, jobs };
}

describe('JobsState settings', () => {
  it('fills the form from the stored settings, prices as text and the key empty', async () => {
    const { jobs } = await loaded();
    expect(jobs.form).toEqual({ baseUrl: 'http://models.example:8000/v1', model: 'policy', pricePrompt: '0.5', priceCompletion: '', concurrency: 8, apiKey: '' });
    expect(jobs.jobs.map((j) => j.jobId)).toEqual([2]);
    expect(jobs.loaded).toBe(true);
  });

  it('saves the form as numbers and nulls, sending a key only when one was typed', async () => {
    const { studio, jobs } = await loaded();
    jobs.form = { baseUrl: ' http://x:1/v1 ', model: '', pricePrompt: ' 0.25 ', priceCompletion: '', concurrency: '2', apiKey: '' };
    expect(await jobs.save()).toBe(true);
    expect(studio.argsOf('setModelServer')).toEqual([{ baseUrl: 'http://x:1/v1', model: null, pricePromptPer1k: 0.25, priceCompletionPer1k: null, concurrency: 2 }]);
    jobs.form.apiKey = ' sk-1 ';
    await jobs.save(false);
    expect(studio.argsOf('setModelServer')[1]).toMatchObject({ apiKey: 'sk-1' });
    expect(jobs.form.apiKey).toBe('');
    expect(jobs.settings?.apiKeySource).toBe('session');
    expect(studio.notices()).toEqual(['info: Model-server settings saved']);
  });

  it('puts a bad field in the error, naming it, without calling the studio', async () => {
    const { studio, jobs } = await loaded();
    jobs.form.pricePrompt = '-1';
    expect(await jobs.save()).toBe(false);
    expect(jobs.error).toBe('Price per 1k prompt tokens must be a non-negative number, got "-1"');
    jobs.form.pricePrompt = '';
    jobs.form.concurrency = null;
    expect(await jobs.save()).toBe(false);
    expect(jobs.error).toBe('Concurrency must be a whole number of at least 1, got ""');
    expect(studio.argsOf('setModelServer')).toEqual([]);
    expect(jobs.saving).toBe(false);
  });

  it('puts a refused save in the error', async () => {
    const { jobs } = await loaded({ setModelServer: failing('Invalid', 'baseUrl must be http(s)') });
    expect(await jobs.save()).toBe(false);
    expect(jobs.error).toBe('baseUrl must be http(s)');
  });

  it('forgets the API key', async () => {
    const { studio, jobs } = await loaded({ setModelServer: async () => settings({ apiKeySource: null }) });
    await jobs.forgetKey();
    expect(studio.argsOf('setModelServer')).toEqual([{ apiKey: null }]);
    expect(jobs.settings?.apiKeySource).toBeNull();
  });
});

describe('JobsState jobs', () => {
  it('saves, plans and starts a generate job, listing it first with the reply to start', async () => {
    const { studio, jobs } = await loaded();
    jobs.generateLimit = 10;
    await jobs.planAndStart('generate');
    expect(studio.argsOf('planGenerate')).toEqual([{ n: 4, limit: 10 }]);
    expect(studio.argsOf('startJob')).toEqual([{ jobId: 5 }]);
    expect(jobs.planned).toBe('Job #5: 12 questions in 3 requests.');
    expect(jobs.jobs.map((j) => [j.jobId, j.status])).toEqual([[5, 'running'], [2, 'completed']]);
    expect(jobs.running).toBe(true);
    expect([jobs.busy, jobs.error]).toEqual([null, null]);
  });

  it('says the volume, tokens and cost an embed plan estimates', async () => {
    const { studio, jobs } = await loaded();
    jobs.embed = { baseUrl: '', model: ' bge ', textOnly: true, limit: '' };
    await jobs.planAndStart('embed');
    expect(studio.argsOf('planEmbed')).toEqual([{ model: 'bge', textOnly: true, limit: undefined }]);
    expect(jobs.planned).toBe('Job #6: 1,200 steps in 40 requests, about 30,000 prompt tokens (about 0.0120).');
  });

  it('puts a missing model in the error and plans nothing', async () => {
    const { studio, jobs } = await loaded();
    await jobs.planAndStart('score');
    expect(jobs.error).toBe('PRM model is needed: the name the server lists under /models');
    expect(studio.argsOf('planScore')).toEqual([]);
    expect(jobs.busy).toBeNull();
  });

  it('plans nothing when the settings cannot be saved', async () => {
    const { studio, jobs } = await loaded({ setModelServer: failing('Invalid', 'bad URL') });
    await jobs.planAndStart('generate');
    expect(jobs.error).toBe('bad URL');
    expect(studio.argsOf('planGenerate')).toEqual([]);
  });

  it('asks before sending to a server from the database, then sends with the URL as consent', async () => {
    let trusted = false;
    const { studio, jobs } = await loaded({
      startJob: async ({ jobId, trustBaseUrl }) => {
        if (!trusted && !trustBaseUrl) return failing('UntrustedServerError', 'not named in this session')();
        trusted = true;
        return job({ jobId, status: 'running' });
      },
    });
    await jobs.planAndStart('generate');
    expect(jobs.error).toBeNull();
    expect(jobs.untrusted).toEqual({ jobId: 5, method: 'startJob', baseUrl: 'http://models.example:8000/v1', host: 'models.example:8000' });
    await jobs.trustAndLaunch();
    expect(studio.argsOf('startJob').at(-1)).toEqual({ jobId: 5, trustBaseUrl: 'http://models.example:8000/v1' });
    expect(jobs.untrusted).toBeNull();
    expect(jobs.jobs[0].status).toBe('running');
  });

  it('puts a refusal of the confirmed server in the error instead of asking again', async () => {
    const { jobs } = await loaded({ resumeJob: failing('UntrustedServerError', 'still refused') });
    jobs.untrusted = { jobId: 2, method: 'resumeJob', baseUrl: 'http://models.example:8000/v1', host: 'models.example:8000' };
    await jobs.trustAndLaunch();
    expect(jobs.error).toBe('still refused');
    expect(jobs.untrusted).toBeNull();
  });

  it('puts a failed resume in the error', async () => {
    const { jobs } = await loaded({ resumeJob: failing('Conflict', 'job 2 is complete') });
    await jobs.resume(2);
    expect(jobs.error).toBe('job 2 is complete');
  });

  it('keeps a job event that came before the reply to start', async () => {
    const reply = deferred<PolicyJobInfo>();
    const { studio, jobs } = await loaded({ startJob: () => reply.promise });
    const stop = jobs.start();
    await settle();
    const starting = jobs.planAndStart('generate');
    await settle();
    studio.emit({ type: 'job-progress', ...job({ jobId: 5, status: 'completed' }) });
    reply.resolve(job({ jobId: 5, status: 'running' }));
    await starting;
    expect(jobs.jobs[0]).toMatchObject({ jobId: 5, status: 'completed' });
    expect(jobs.jobs[0]).not.toHaveProperty('type');
    stop();
  });

  it('re-reads the list for an event of a job it does not know', async () => {
    const { studio, jobs } = await loaded();
    const stop = jobs.start();
    await settle();
    const before = studio.argsOf('listJobs').length;
    studio.emit({ type: 'job-progress', ...job({ jobId: 40 }) });
    await settle();
    expect(studio.argsOf('listJobs')).toHaveLength(before + 1);
    stop();
  });

  it('polls every 3 s while a job runs in another process', async () => {
    vi.useFakeTimers();
    const { studio, jobs } = await loaded({ listJobs: async () => [job({ jobId: 2, status: 'running', runningHere: false })] });
    const stop = jobs.start();
    await settle();
    const before = studio.argsOf('listJobs').length;
    await vi.advanceTimersByTimeAsync(6000);
    expect(studio.argsOf('listJobs')).toHaveLength(before + 2);
    stop();
  });

  it('puts a cancelled job in the list, and shows a failed cancel as a notice', async () => {
    const { jobs } = await loaded({ cancelJob: async ({ jobId }) => job({ jobId, status: 'cancelled' }) });
    await jobs.cancel(2);
    expect(jobs.jobs.map((j) => [j.jobId, j.status])).toEqual([[2, 'cancelled']]);

    const broken = await loaded({ cancelJob: failing('NotFound', 'no job 9') });
    await broken.jobs.cancel(9);
    expect(broken.studio.notices()).toEqual(['error: Cancelling job 9: no job 9']);
  });
});
