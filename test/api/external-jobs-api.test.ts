/**
 * Embed and score jobs through the studio's API against the local fake server: planning
 * with an estimate, running with job-progress events, what listJobs says about them, the
 * "external PRM" evaluation, the trust rule (as for generate and label), and bad arguments.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRunsApi, type RunTrainer } from '../../src-main/core/api/runs-api';
import { DEFAULT_EMBED_TEMPLATE, planEmbedJob } from '../../src-main/core/policy/embed-job';
import { listEvaluations } from '../../src-main/core/store/eval-store';
import { startFakeServer, type FakeServer } from '../policy/fake-server';
import { embeddingInputs, embeddingReply, judgedStep, logprobReply } from '../policy/fake-models';
import { seedCot, seedQuestions } from '../policy/fixtures';
import { finalEvent, setupJobsApi, type JobsSetup } from './jobs-helpers';

let server: FakeServer | undefined;
let s: JobsSetup | undefined;
afterEach(async () => {
  await s?.handle.close();
  s?.db.close();
  await server?.close();
  s = server = undefined;
});

/** Embeddings of length 6 (the first entry: 1 for a WRONG step), and a PRM that doubts WRONG steps. */
async function setup(env: NodeJS.ProcessEnv = {}) {
  server = await startFakeServer((r) => {
    if (r.path === '/v1/embeddings') return { body: embeddingReply(embeddingInputs(r).map(({ text }) => [text.includes('WRONG') ? 1 : 0, 0, 0, 0, 0, 1])) };
    const { step } = judgedStep(r.body.messages);
    return { body: logprobReply(step.includes('WRONG') ? 0.1 : 0.9) };
  });
  s = setupJobsApi({ DREAMPRM_API_KEY: 'sk-x', ...env });
  const [train] = seedQuestions(s.db, 'train', 'chartqa', 1);
  const [meta] = seedQuestions(s.db, 'meta', 'dev', 1);
  const [test] = seedQuestions(s.db, 'test', 'BenchA', 1);
  seedCot(s.db, train, 't', ['Step 1: read', 'Final answer: 13'], [1, 1]);
  seedCot(s.db, meta, 'm', ['Step 1: WRONG read', 'Final answer: 12'], [], { correct: false });
  seedCot(s.db, test, 'a', ['Step 1: read', 'Final answer: 13'], [1, 1], { answer: '13', correct: true });
  seedCot(s.db, test, 'b', ['Step 1: WRONG read', 'Final answer: 12'], [0, 0], { answer: '12', correct: false });
  return s;
}

const trainer = { backend: async () => ({ name: 'cpu', note: null }) } as unknown as RunTrainer;

describe('embed jobs in the API', () => {
  it('plans with an estimate, runs with events, stores the vectors, and the run form then offers the features PRM', async () => {
    const { db, api, events } = await setup();
    const runs = createRunsApi(db, trainer);
    const before = await runs.runDefaults();
    expect(before.stepVectors).toEqual({ pools: [], dims: [] });
    expect(before.fields.find((f) => f.key === 'model.kind')).toMatchObject({ needs: 'step-vectors', choices: ['compact', 'features'] });

    const plan = await api.planEmbed({ baseUrl: server!.url, model: 'fake-embed', pricePromptPer1k: 0.02 });
    expect(plan).toMatchObject({ requests: 8, items: 8, withoutAnswer: 0, estimatedTokens: expect.any(Number) });
    expect(plan.estimatedCost).toBeCloseTo((plan.estimatedTokens! / 1000) * 0.02, 9);
    expect(plan.job).toMatchObject({ kind: 'embed', pool: 'train+meta+test', samples: 0, detail: 'text + images', note: null, evaluationId: null, model: 'fake-embed' });
    await api.startJob({ jobId: plan.job.jobId });
    const last = await finalEvent(events, plan.job.jobId);
    expect(last).toMatchObject({ status: 'completed', counters: { done: 8, failed: 0 } });
    expect(server!.requests.every((r) => r.headers.authorization === 'Bearer sk-x' && r.images.length === 1)).toBe(true);
    expect((await runs.runDefaults()).stepVectors).toEqual({
      pools: [
        { pool: 'train', steps: 2, withVector: 2 },
        { pool: 'meta', steps: 2, withVector: 2 },
        { pool: 'test', steps: 4, withVector: 4 },
      ],
      dims: [6],
    });
  });

  it('says when a text-only server will not see the images', async () => {
    const { api, events } = await setup();
    const plan = await api.planEmbed({ baseUrl: server!.url, model: 'fake-embed', textOnly: true, pools: ['test'], perRequest: 3 });
    expect(plan).toMatchObject({ requests: 2, items: 4 });
    expect(plan.job).toMatchObject({ pool: 'test', detail: 'text only', note: 'text only: the 4 images of these steps are not sent; the vectors see the question and the steps alone' });
    await api.startJob({ jobId: plan.job.jobId });
    expect((await finalEvent(events, plan.job.jobId)).status).toBe('completed');
    expect(server!.requests.every((r) => r.images.length === 0 && Array.isArray(r.body.input))).toBe(true);
  });

  it('sends nothing to a stored server nobody named in this process, until the user confirms it', async () => {
    const { db, api, events } = await setup();
    const { jobId } = planEmbedJob(db, {
      endpoint: { baseUrl: server!.url, model: 'fake-embed' },
      pools: ['test'],
      input: 'text',
      template: DEFAULT_EMBED_TEMPLATE,
      perRequest: 8,
      dimensions: null,
      steps: 'all',
      missingImages: 'fail',
      limit: null,
    });
    await expect(api.startJob({ jobId })).rejects.toMatchObject({ name: 'UntrustedServerError' });
    expect(server!.requests).toHaveLength(0);
    await api.startJob({ jobId, trustBaseUrl: server!.url });
    expect((await finalEvent(events, jobId)).status).toBe('completed');
  });

  it('refuses bad arguments with the field named', async () => {
    const { api } = await setup();
    await expect(api.planEmbed({ baseUrl: server!.url } as never)).rejects.toThrow(/planEmbed: model: /);
    await expect(api.planEmbed({ baseUrl: server!.url, model: 'm', pools: ['dev'] } as never)).rejects.toThrow(/planEmbed: pools\.0: /);
    await expect(api.planScore({ baseUrl: server!.url, model: 'm', mode: 'judge' } as never)).rejects.toThrow(/planScore: mode: /);
    await expect(api.planScore({ baseUrl: 'localhost:8000', model: 'm', mode: 'reward' })).rejects.toThrow(/must start with http/);
  });
});

describe('score jobs in the API', () => {
  it('scores every test candidate and stores an external-PRM evaluation the job names', async () => {
    const { db, api, events } = await setup();
    const plan = await api.planScore({ baseUrl: server!.url, model: 'fake-prm', mode: 'generative' });
    expect(plan).toMatchObject({ requests: 4, items: 2, withoutAnswer: 0 });
    expect(plan.job).toMatchObject({ kind: 'score', pool: 'test', detail: 'generative PRM · external PRM: fake-prm', evaluationId: null });
    await api.startJob({ jobId: plan.job.jobId });
    const last = await finalEvent(events, plan.job.jobId);
    expect(last.status).toBe('completed');
    const [evaluation] = listEvaluations(db);
    expect(evaluation).toMatchObject({ runId: null, label: 'external PRM: fake-prm' });
    expect(last.evaluationId).toBe(evaluation.evaluationId);
    expect((await api.listJobs())[0].evaluationId).toBe(evaluation.evaluationId);
  });
});
