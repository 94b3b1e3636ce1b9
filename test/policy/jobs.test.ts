import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src-main/core/store/db';
import { getJob, requestCancel } from '../../src-main/core/store/jobs-store';
import { jobProgress, planGenerateJob, planLabelJob, runPolicyJob, type JobProgress } from '../../src-main/core/policy/jobs';
import { startFakeServer, type FakeServer } from './fake-server';
import { fakePolicy, requestPrompts, generateConfig, generatedCorrect, labelConfig, rolloutsCorrect, seedCot, seedQuestions } from './fixtures';

let server: FakeServer | undefined;
let db: Db | undefined;
afterEach(async () => {
  await server?.close();
  db?.close();
  server = undefined;
  db = undefined;
});

/** Quick retries, and the test's server named for the run as --base-url would name it. */
const fast = () => ({ client: { backoffMs: 1, maxAttempts: 3, concurrency: 3 }, baseUrl: server!.url });

function cotsOf(d: Db, questionId: number) {
  return d
    .prepare(`SELECT id, ext_id AS ext, answer, correct, n_steps AS nSteps FROM cots WHERE question_id = ? ORDER BY ext_id`)
    .all(questionId) as { id: number; ext: string; answer: string; correct: number; nSteps: number }[];
}

describe('generate job', () => {
  it('samples N CoTs per question, splits them into steps and checks their answers', async () => {
    server = await startFakeServer(fakePolicy);
    db = openDb(':memory:');
    const qs = seedQuestions(db, 'test', 'BenchA', 5);
    const plan = planGenerateJob(db, { ...generateConfig(server.url, 4), perRequest: 4 });
    expect(plan).toMatchObject({ questions: 5, requests: 5, withoutAnswer: 0 });
    const seen: JobProgress[] = [];
    const final = await runPolicyJob(db, plan.jobId, { ...fast(), onProgress: (p) => seen.push(p) });

    expect(final.status).toBe('completed');
    expect(final.counters).toEqual({ total: 5, done: 5, failed: 0, pending: 0, promptTokens: 500, completionTokens: 400 });
    expect(final.cost).toBeCloseTo(0.5 * 0.5 + 0.4 * 1.5, 9);
    expect(seen.map((p) => p.counters.done)).toEqual([1, 2, 3, 4, 5, 5]);
    // the counts kept in memory while running agree with the stored ones
    expect(seen.at(-2)!.counters).toEqual(final.counters);
    expect(seen.at(-2)!.cost).toBe(final.cost);
    qs.forEach((qid, qi) => {
      const cots = cotsOf(db!, qid);
      expect(cots).toHaveLength(4);
      cots.forEach((c, i) => {
        expect(c.ext).toBe(`job${plan.jobId}-${i}`);
        expect(c.nSteps).toBe(6); // five steps and the final answer
        expect(c.correct).toBe(generatedCorrect(qi, i) ? 1 : 0);
      });
    });
    const steps = db.prepare(`SELECT text FROM steps WHERE cot_id = ? ORDER BY idx`).pluck().all(cotsOf(db, qs[0])[0].id);
    expect(steps[0]).toMatch(/^Step 1:/);
    expect(steps[5]).toMatch(/^Final answer: /);
    // the image went along as a data: URL, the prompt is the five-step template
    expect(server.requests[0].images[0]).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(server.requests[0].prompt).toContain('Step 5:');
  });

  it('records failed requests, finishes as failed, and a resume sends only those again', async () => {
    let broken = true;
    server = await startFakeServer((r) =>
      broken && r.prompt.includes('[q2]') ? { status: 503, body: { error: { message: 'overloaded' } } } : fakePolicy(r),
    );
    db = openDb(':memory:');
    const qs = seedQuestions(db, 'test', 'BenchA', 4);
    const { jobId } = planGenerateJob(db, { ...generateConfig(server.url, 2), perRequest: 2 });
    const first = await runPolicyJob(db, jobId, fast());
    expect(first.status).toBe('failed');
    expect(first.counters).toMatchObject({ done: 3, failed: 1 });
    expect(first.error).toMatch(/1 of 4 requests failed \(first: q\d+\/s0: HTTP 503 .*overloaded \(gave up after 3 attempts\)\); run the job again/);
    expect(cotsOf(db, qs[2])).toHaveLength(0);
    const hitsBefore = new Map(server.hits);

    broken = false;
    const second = await runPolicyJob(db, jobId, fast());
    expect(second.status).toBe('completed');
    expect(second.sessionRequests).toBe(1);
    for (const [key, n] of server.hits) {
      const isQ2 = server.requests.find((r) => r.key === key)!.prompt.includes('[q2]');
      expect(n, key).toBe(isQ2 ? hitsBefore.get(key)! + 1 : hitsBefore.get(key));
    }
    expect(qs.map((q) => cotsOf(db!, q).length)).toEqual([2, 2, 2, 2]);
    const row = db.prepare(`SELECT attempts, status, error FROM job_requests WHERE job_id = ? AND key = ?`).get(jobId, `q${qs[2]}/s0`);
    expect(row).toEqual({ attempts: 4, status: 'done', error: null });
  });

  it('fails a question whose image is missing without asking the server, unless told to omit it', async () => {
    server = await startFakeServer(fakePolicy);
    db = openDb(':memory:');
    seedQuestions(db, 'test', 'BenchA', 2, { missingImage: [1] });
    const { jobId } = planGenerateJob(db, generateConfig(server.url, 1));
    const p = await runPolicyJob(db, jobId, fast());
    expect(p.counters).toMatchObject({ done: 1, failed: 1 });
    expect(p.error).toMatch(/image img\/1\.png was missing at import; re-import with --images DIR, or run with --missing-images omit/);
    expect(server.requests).toHaveLength(1);

    const omit = planGenerateJob(db, { ...generateConfig(server.url, 1), missingImages: 'omit' });
    expect((await runPolicyJob(db, omit.jobId, fast())).status).toBe('completed');
    expect(server.requests.at(-1)!.images).toEqual([]);
    expect(server.requests.at(-1)!.body.messages[0].content).toContain('[q1]');
  });

  it('refuses to plan on an empty pool or an unknown domain', () => {
    db = openDb(':memory:');
    expect(() => planGenerateJob(db!, generateConfig('http://x/v1', 2))).toThrow(/test pool has no questions: import some first/);
    seedQuestions(db, 'test', 'BenchA', 1);
    expect(() => planGenerateJob(db!, { ...generateConfig('http://x/v1', 2), domains: ['BenchZ'] })).toThrow(
      /no test-pool domain named "BenchZ"; known: BenchA/,
    );
    expect(() => planGenerateJob(db!, generateConfig('http://x/v1', 0))).toThrow(/--n must be a positive integer/);
  });
});

/** Train CoTs: a good one, one that goes wrong at step 2, and one already labelled. */
function seedTrain(d: Db) {
  const [q0, q1] = seedQuestions(d, 'train', 'chartqa', 2);
  const good = seedCot(d, q0, 'good', ['Step 1: read the numbers', 'Step 2: add them', 'Step 3: check', 'Final answer: 13']);
  const bad = seedCot(d, q1, 'bad', ['Step 1: read the numbers', 'Step 2: WRONG subtract them', 'Final answer: 99']);
  const done = seedCot(d, q1, 'done', ['Step 1: known', 'Step 2: known too'], [0.5, 0.25]);
  return { good, bad, done };
}

function labelsOf(d: Db, cotId: number) {
  return d.prepare(`SELECT mc, k FROM steps WHERE cot_id = ? ORDER BY idx`).all(cotId) as { mc: number | null; k: number | null }[];
}

describe('label job', () => {
  it('labels each step prefix with the fraction of K rollouts that reach the answer', async () => {
    server = await startFakeServer(fakePolicy);
    db = openDb(':memory:');
    const { good, bad, done } = seedTrain(db);
    const plan = planLabelJob(db, { ...labelConfig(server.url, 5), perRequest: 2 });
    // good: 3 rollout steps + final; bad: 2 rollout steps + final; done: already labelled
    expect(plan).toMatchObject({ cots: 3, steps: 5, finalSteps: 2, withoutAnswer: 0, requests: 15 });
    const p = await runPolicyJob(db, plan.jobId, fast());
    expect(p.status).toBe('completed');

    const expectM = (prefixSteps: string[]) => rolloutsCorrect(prefixSteps.join('\n\n'), 2) + rolloutsCorrect(prefixSteps.join('\n\n'), 2) + rolloutsCorrect(prefixSteps.join('\n\n'), 1);
    const goodSteps = ['Step 1: read the numbers', 'Step 2: add them', 'Step 3: check'];
    expect(labelsOf(db, good)).toEqual([
      { mc: expectM(goodSteps.slice(0, 1)) / 5, k: 5 },
      { mc: expectM(goodSteps.slice(0, 2)) / 5, k: 5 },
      { mc: expectM(goodSteps) / 5, k: 5 },
      { mc: 1, k: 5 }, // "Final answer: 13" is right: 3 + 10
    ]);
    expect(labelsOf(db, bad)).toEqual([
      { mc: 2 / 5, k: 5 }, // one step: each batch loses one rollout
      { mc: 0, k: 5 }, // after the WRONG step nothing reaches the answer
      { mc: 0, k: 5 }, // "Final answer: 99" is wrong
    ]);
    expect(labelsOf(db, done)).toEqual([{ mc: 0.5, k: 4 }, { mc: 0.25, k: 4 }]);
    // rollouts continue from the prefix; no request was made for a final-answer step
    expect(server.requests.every((r) => !/Solution so far:[\s\S]*Final answer/.test(r.prompt))).toBe(true);
    expect(server.requests.some((r) => r.prompt.endsWith('Step 1: read the numbers\n\nStep 2: add them'))).toBe(true);
  });

  it('skips CoTs whose question has no answer and says so', () => {
    db = openDb(':memory:');
    const [q] = seedQuestions(db, 'train', 'chartqa', 1);
    db.prepare(`UPDATE questions SET answer = NULL`).run();
    seedCot(db, q, 'c', ['Step 1: x', 'Step 2: y']);
    expect(() => planLabelJob(db!, labelConfig('http://x/v1', 4))).toThrow(/none of the 1 CoTs' questions has a ground-truth answer/);
  });
});

describe('resuming', () => {
  it('an aborted label job resumes without redoing any finished request', async () => {
    server = await startFakeServer((r) => ({ ...fakePolicy(r), delayMs: 5 }));
    db = openDb(':memory:');
    const { good, bad } = seedTrain(db);
    const { jobId } = planLabelJob(db, { ...labelConfig(server.url, 4), perRequest: 1 }); // 20 requests
    const stop = new AbortController();
    const first = await runPolicyJob(db, jobId, {
      ...fast(),
      signal: stop.signal,
      onProgress: (p) => p.counters.done >= 7 && stop.abort(),
    });
    expect(first.status).toBe('cancelled');
    const doneKeys = new Set(db.prepare(`SELECT key FROM job_requests WHERE job_id = ? AND status = 'done'`).pluck().all(jobId) as string[]);
    expect(doneKeys.size).toBeGreaterThanOrEqual(7);
    expect(doneKeys.size).toBeLessThan(20);
    // Requests in flight when the job stopped may still be arriving: count them as before.
    await server.idle();
    const hitsBefore = new Map(server.hits);

    const second = await runPolicyJob(db, jobId, fast());
    expect(second.status).toBe('completed');
    expect(second.counters.done).toBe(20);
    // Per prompt, the resume sent exactly the requests that were not done: none finished was redone.
    const open = new Map<string, number>();
    for (const r of requestPrompts(db, jobId)) if (!doneKeys.has(r.key)) open.set(r.prompt, (open.get(r.prompt) ?? 0) + 1);
    for (const [prompt, n] of server.hits) expect(n - (hitsBefore.get(prompt) ?? 0), prompt).toBe(open.get(prompt) ?? 0);
    expect(labelsOf(db, good).every((s) => s.k === 4 && s.mc !== null)).toBe(true);
    expect(labelsOf(db, bad)[0]).toEqual({ mc: 0, k: 4 }); // one rollout per request: 1 - (1 % 2) = 0 correct each
  });

  it('a cancel asked from elsewhere (the UI) stops the job; a live owner cannot be displaced', async () => {
    server = await startFakeServer((r) => ({ ...fakePolicy(r), delayMs: 5 }));
    db = openDb(':memory:');
    seedQuestions(db, 'test', 'BenchA', 12);
    const { jobId } = planGenerateJob(db, generateConfig(server.url, 1));
    const p = await runPolicyJob(db, jobId, { ...fast(), onProgress: (x) => x.counters.done === 3 && requestCancel(db!, jobId) });
    expect(p.status).toBe('cancelled');
    expect(p.counters.pending).toBeGreaterThan(0);

    // pretend another live process (our parent) owns it
    db.prepare(`UPDATE jobs SET status = 'running', owner_pid = ?, owner_host = ? WHERE id = ?`).run(process.ppid, hostname(), jobId);
    await expect(runPolicyJob(db, jobId, fast())).rejects.toThrow(new RegExp(`job ${jobId} is being run by process ${process.ppid}`));
    // a dead owner is shown as interrupted and taken over
    db.prepare(`UPDATE jobs SET owner_pid = 999999999 WHERE id = ?`).run(jobId);
    expect(jobProgress(db, jobId).status).toBe('interrupted');
    expect((await runPolicyJob(db, jobId, fast())).status).toBe('completed');
    expect(getJob(db, jobId)!.ownerPid).toBeNull();
  });
});
