/**
 * Every setting the CLI gives a model-server job is a field of the API's plan request (the CLI
 * plans through the API): each lands in the stored job config, and a bad one is refused by name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getJob } from '../../src-main/core/store/jobs-store';
import { seedCot, seedQuestions } from '../policy/fixtures';
import { setupJobsApi, type JobsSetup } from './jobs-helpers';

let s: JobsSetup | undefined;
afterEach(async () => {
  await s?.handle.close();
  s?.db.close();
  s = undefined;
});

const server = { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' };
const configOf = (jobId: number) => getJob(s!.db, jobId)!.config as Record<string, unknown>;

describe('plan requests carry the CLI\'s settings', () => {
  it('generate and label: sampling, templates as text, tolerances, domains, missing images, relabel', async () => {
    s = setupJobsApi();
    const qs = seedQuestions(s.db, 'train', 'BenchA', 2);
    seedCot(s.db, qs[0], 'c0', ['Step 1: look', 'Final answer: 1']);
    const common = { ...server, pool: 'train' as const, temperature: 0.2, maxTokens: 64, relTol: 0.1, absTol: 0.5, missingImages: 'omit' as const, domains: ['BenchA'] };
    const g = await s.api.planGenerate({ ...common, n: 2, templates: { solve: 'Solve: {question}' } });
    expect(configOf(g.job.jobId)).toMatchObject({
      temperature: 0.2,
      maxTokens: 64,
      match: { relTol: 0.1, absTol: 0.5 },
      missingImages: 'omit',
      domains: ['BenchA'],
      templates: { solve: 'Solve: {question}' },
    });
    const l = await s.api.planLabel({ ...common, k: 2, relabel: true, templates: { continue: 'Go on: {question} {prefix}' } });
    expect(configOf(l.job.jobId)).toMatchObject({ relabel: true, templates: { continue: 'Go on: {question} {prefix}' } });
    expect(l).toMatchObject({ items: 1, steps: 1, finalSteps: 1 });
    await expect(s.api.planGenerate({ ...server, n: 1, templates: { solve: 'no placeholder' } })).rejects.toThrow(/templates\.solve/);
    await expect(s.api.planGenerate({ ...server, n: 1, missingImages: 'skip' } as never)).rejects.toThrow(/planGenerate: missingImages/);
  });

  it('embed and score: template, system, tokens, reward path, pooling task, aggregation', async () => {
    s = setupJobsApi();
    const [q] = seedQuestions(s.db, 'test', 'BenchA', 1);
    seedCot(s.db, q, 'c0', ['Step 1: look'], [], { correct: true });
    const e = await s.api.planEmbed({ ...server, pools: ['test'], template: '{question} | {prefix}', missingImages: 'omit' });
    expect(configOf(e.job.jobId)).toMatchObject({ template: '{question} | {prefix}', missingImages: 'omit' });
    expect(e).toMatchObject({ items: 1, cots: 1 });
    const req = { ...server, mode: 'reward' as const, system: 'judge', stepTag: '<s>', rewardPath: '/v2/pool', poolingTask: 'token_classify', agg: 'min' as const };
    const sc = await s.api.planScore(req);
    expect(configOf(sc.job.jobId)).toMatchObject({ system: 'judge', stepTag: '<s>', rewardPath: '/v2/pool', poolingTask: 'token_classify', agg: 'min' });
    await expect(s.api.planScore({ ...req, agg: 'best' } as never)).rejects.toThrow(/planScore: agg/);
  });
});
