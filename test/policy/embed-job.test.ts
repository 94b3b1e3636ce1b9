import { afterEach, describe, expect, it } from 'vitest';
import { blobToFloats } from '../../src-main/core/store/eval-store';
import { openDb, type Db } from '../../src-main/core/store/db';
import { DEFAULT_EMBED_TEMPLATE, embedRequest, planEmbedJob, type EmbedConfig } from '../../src-main/core/policy/embed-job';
import type { EmbedRequest } from '../../src-main/core/policy/embeddings';
import { runPolicyJob } from '../../src-main/core/policy/jobs';
import { promptKey, startFakeServer, type FakeServer } from './fake-server';
import { embeddingInputs, embeddingReply, informativeVector, inputKey } from './fake-models';
import { seedCot, seedQuestions } from './fixtures';

let server: FakeServer | undefined;
let db: Db | undefined;
afterEach(async () => {
  await server?.close();
  db?.close();
  server = db = undefined;
});

const fast = () => ({ client: { backoffMs: 1, maxAttempts: 3, concurrency: 2, timeoutMs: 2000 }, baseUrl: server!.url });

function embedConfig(baseUrl: string, over: Partial<EmbedConfig> = {}): EmbedConfig {
  return {
    endpoint: { baseUrl, model: 'fake-embed' },
    pools: ['train', 'meta', 'test'],
    input: 'multimodal',
    template: DEFAULT_EMBED_TEMPLATE,
    perRequest: 3,
    dimensions: null,
    steps: 'all',
    pricing: { promptPer1k: 0.1 },
    missingImages: 'fail',
    limit: null,
    ...over,
  };
}

/** Two train CoTs (3 and 2 steps) and a test CoT (2 steps): 7 steps on 3 questions. */
function seed(d: Db) {
  const [q0, q1] = seedQuestions(d, 'train', 'chartqa', 2);
  const [t0] = seedQuestions(d, 'test', 'BenchA', 1);
  return [
    seedCot(d, q0, 'a', ['Step 1: read', 'Step 2: add', 'Final answer: 13'], [1, 1, 1]),
    seedCot(d, q1, 'b', ['Step 1: read', 'Final answer: 99'], [0.5, 0]),
    seedCot(d, t0, 't', ['Step 1: look', 'Final answer: 13'], [1, 1], { answer: '13', correct: true }),
  ];
}

function vectorsOf(d: Db, cotId: number): (number[] | null)[] {
  return (d.prepare(`SELECT vector FROM steps WHERE cot_id = ? ORDER BY idx`).pluck().all(cotId) as (Buffer | null)[]).map((b) =>
    b ? Array.from(blobToFloats(b)) : null,
  );
}

/** Each input's vector: its length-`dim` noise from its key, so a test can recompute what a step got. */
const byInput = (dim = 8) => (r: { body: object; path: string }) =>
  embeddingReply(embeddingInputs(r as never).map(({ text, images }) => informativeVector(null, inputKey(text, images), dim)));

describe('embed job', () => {
  it('sends each step with its question, prefix and image as a chat-style input and stores its vector', async () => {
    server = await startFakeServer((r) => ({ body: byInput()(r) }));
    db = openDb(':memory:');
    const [a, b, t] = seed(db);
    const plan = planEmbedJob(db, embedConfig(server.url));
    expect(plan).toMatchObject({ cots: 3, steps: 7, requests: 7, images: 7, note: null });
    expect(plan.estimatedTokens).toBeGreaterThan(7 * 10);
    expect(plan.estimatedCost).toBeCloseTo((plan.estimatedTokens / 1000) * 0.1, 9);

    const p = await runPolicyJob(db, plan.jobId, fast());
    expect(p.status).toBe('completed');
    expect(p.counters).toMatchObject({ total: 7, done: 7, failed: 0, promptTokens: 70 });
    expect(server.requests.every((r) => r.path === '/v1/embeddings' && r.body.input === undefined)).toBe(true);
    const second = server.requests.find((r) => r.prompt.endsWith('Step 2: add'))!;
    expect(second.prompt).toBe('Question: What is 3 plus 10? [q0]\n\nSolution so far:\nStep 1: read\n\nStep 2: add');
    expect(second.images[0]).toMatch(/^data:image\/png;base64,/);
    expect(second.body).toMatchObject({ model: 'fake-embed', encoding_format: 'float' });
    // every step holds the vector the server computed for its own input
    for (const r of server.requests) {
      const cot = r.prompt.includes('[q0]') && !r.prompt.includes('look') ? a : r.prompt.includes('look') ? t : b;
      const idx = r.prompt.split('\n\n').length - 2;
      expect(vectorsOf(db, cot)[idx]).toEqual(Array.from(Float32Array.from(informativeVector(null, inputKey(r.prompt, r.images), 8))));
    }
  });

  it('sends text only, several steps per request, to a text-only server, and says so', async () => {
    server = await startFakeServer((r) => ({ body: byInput(5)(r) }));
    db = openDb(':memory:');
    const [a] = seed(db);
    const plan = planEmbedJob(db, embedConfig(server.url, { input: 'text', perRequest: 3, pools: ['train'] }));
    expect(plan).toMatchObject({ steps: 5, requests: 2, images: 5 });
    expect(plan.note).toBe('text only: the 5 images of these steps are not sent; the vectors see the question and the steps alone');
    expect((await runPolicyJob(db, plan.jobId, fast())).status).toBe('completed');
    expect(server.requests.map((r) => (r.body.input as string[]).length)).toEqual([3, 2]);
    expect(server.requests.every((r) => r.images.length === 0 && r.body.messages.length === 0)).toBe(true);
    expect(vectorsOf(db, a).every((v) => v?.length === 5)).toBe(true);
  });

  it('fails only the requests answered with the wrong length, a wrong count or garbage, writes none of them, and a resume finishes', async () => {
    let broken = true;
    server = await startFakeServer((r) => {
      const inputs = embeddingInputs(r);
      const first = inputs[0].text;
      if (broken && first.includes('[q1]')) return { body: embeddingReply(inputs.map(() => [1, 2, 3])) }; // 3, not 8
      if (broken && first.includes('look')) return { body: embeddingReply([[1, 2, 3, 4, 5, 6, 7, 8], [1]]) }; // 2 vectors for 1 input
      if (broken && first.endsWith('Step 2: add')) return { body: embeddingReply([[1, 2, 3, Number.NaN as never]]) };
      return { body: byInput()(r) };
    });
    db = openDb(':memory:');
    const [a, b, t] = seed(db);
    // one request per step, in key order: the q0 steps come first and set the job's length (8)
    const plan = planEmbedJob(db, embedConfig(server.url, { input: 'text', perRequest: 1 }));
    const first = await runPolicyJob(db, plan.jobId, { ...fast(), client: { ...fast().client, concurrency: 1 } });
    expect(first.status).toBe('failed');
    expect(first.counters).toMatchObject({ done: 2, failed: 5 });
    const errors = db.prepare(`SELECT key, error FROM job_requests WHERE job_id = ? AND status = 'failed' ORDER BY key`).all(plan.jobId) as { key: string; error: string }[];
    expect(errors.find((e) => e.key === `c${b}/t0`)!.error).toMatch(/vectors of length 3, but this job's have length 8 \(this job's first reply\)/);
    expect(errors.find((e) => e.key === `c${t}/t0`)!.error).toMatch(/asked for 1 vectors, the server returned 2/);
    expect(errors.find((e) => e.key === `c${a}/t1`)!.error).toMatch(/malformed embeddings reply/);
    expect(vectorsOf(db, b)).toEqual([null, null]);
    expect(vectorsOf(db, t)).toEqual([null, null]);
    expect(vectorsOf(db, a).map((v) => v?.length ?? null)).toEqual([8, null, 8]);

    broken = false;
    const before = server.requests.length;
    const second = await runPolicyJob(db, plan.jobId, fast());
    expect(second.status).toBe('completed');
    expect(second.sessionRequests).toBe(5);
    expect(server.requests.slice(before).some((r) => r.prompt.endsWith('Step 1: read') && r.prompt.includes('[q0]'))).toBe(false);
    expect([a, b, t].flatMap((c) => vectorsOf(db!, c)).every((v) => v?.length === 8)).toBe(true);
  });

  it('a stopped job resumes: it sends only the steps not yet stored and ends with every vector', async () => {
    server = await startFakeServer((r) => ({ body: byInput()(r), delayMs: 5 }));
    db = openDb(':memory:');
    const cots = seed(db);
    const plan = planEmbedJob(db, embedConfig(server.url, { input: 'text', perRequest: 1 }));
    const stop = new AbortController();
    const first = await runPolicyJob(db, plan.jobId, { ...fast(), signal: stop.signal, onProgress: (p) => p.counters.done >= 3 && stop.abort() });
    expect(first.status).toBe('cancelled');
    const stored = db.prepare(`SELECT count(*) FROM steps WHERE vector IS NOT NULL`).pluck();
    const done = db.prepare(`SELECT count(*) FROM job_requests WHERE job_id = ? AND status = 'done'`).pluck();
    // nothing half-written: exactly the done requests' steps have vectors
    expect(stored.get()).toBe(done.get(plan.jobId));
    await server.idle();
    const before = new Map(server.hits);
    const build = embedRequest(db, embedConfig(server.url, { input: 'text', perRequest: 1 }));
    const doneBefore = done.get(plan.jobId) as number;
    const doneKeys = (db.prepare(`SELECT payload FROM job_requests WHERE job_id = ? AND status = 'done'`).pluck().all(plan.jobId) as string[]).map(
      (p) => promptKey((build(JSON.parse(p)) as EmbedRequest).texts[0]),
    );

    const second = await runPolicyJob(db, plan.jobId, fast());
    expect(second.status).toBe('completed');
    expect(second.sessionRequests).toBe(7 - doneBefore);
    for (const key of doneKeys) expect(server.hits.get(key), key).toBe(before.get(key));
    expect(cots.flatMap((c) => vectorsOf(db!, c)).every((v) => v?.length === 8)).toBe(true);
  });

  it('waits out a rate limit and retries a timed-out request', async () => {
    server = await startFakeServer((r) => {
      if (r.prompt.includes('[q1]') && r.hit === 1) return { status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'slow down' } } };
      if (r.prompt.includes('look') && r.hit === 1) return { body: byInput()(r), delayMs: 600 };
      return { body: byInput()(r) };
    });
    db = openDb(':memory:');
    const [, b, t] = seed(db);
    const plan = planEmbedJob(db, embedConfig(server.url, { input: 'text', perRequest: 1 }));
    const p = await runPolicyJob(db, plan.jobId, { ...fast(), client: { ...fast().client, timeoutMs: 300 } });
    expect(p.status).toBe('completed');
    const attempts = db.prepare(`SELECT key, attempts FROM job_requests WHERE job_id = ? AND attempts > 1 ORDER BY key`).all(plan.jobId);
    expect(attempts).toEqual([
      { key: `c${b}/t0`, attempts: 2 },
      { key: `c${b}/t1`, attempts: 2 },
      { key: `c${t}/t0`, attempts: 2 },
      { key: `c${t}/t1`, attempts: 2 },
    ]);
    expect(vectorsOf(db, t).every((v) => v?.length === 8)).toBe(true);
  });

  it('tells a person to use --text-only when a text-only server refuses the images, and to fix the URL on 404', async () => {
    server = await startFakeServer((r) =>
      r.path !== '/v1/embeddings'
        ? { status: 404, body: { error: { message: `no route ${r.path}` } } }
        : r.body.input === undefined
          ? { status: 400, body: { error: { message: "'messages' is not supported" } } }
          : { body: byInput()(r) },
    );
    db = openDb(':memory:');
    seed(db);
    const plan = planEmbedJob(db, embedConfig(server.url, { pools: ['test'] }));
    const p = await runPolicyJob(db, plan.jobId, fast());
    expect(p.status).toBe('failed');
    expect(p.error).toMatch(/HTTP 400 .*'messages' is not supported \(a text-only embedding server .* refuses chat-style input with images: plan the job with --text-only\)/);
    expect(server.requests).toHaveLength(2); // a 400 is not retried

    const wrong = planEmbedJob(db, embedConfig(`${server.url}/nothing`, { pools: ['test'], input: 'text' }));
    const q = await runPolicyJob(db, wrong.jobId, { ...fast(), baseUrl: `${server.url}/nothing` });
    expect(q.error).toMatch(/HTTP 404 .*check --base-url: it should end where \/embeddings begins/);
  });

  it('embeds only the steps without a vector when asked, and holds them to the stored length', async () => {
    server = await startFakeServer((r) => ({ body: byInput(4)(r) }));
    db = openDb(':memory:');
    const [a, b] = seed(db);
    db.prepare(`UPDATE steps SET vector = ? WHERE cot_id = ?`).run(Buffer.from(new Float32Array(6).buffer), a);
    const plan = planEmbedJob(db, embedConfig(server.url, { steps: 'missing', pools: ['train'] }));
    expect(plan).toMatchObject({ steps: 2, requests: 2 });
    const p = await runPolicyJob(db, plan.jobId, fast());
    expect(p.error).toMatch(/vectors of length 4, but this job's have length 6 \(the vectors already stored\)/);
    expect(vectorsOf(db, b)).toEqual([null, null]);
    expect(() => planEmbedJob(db!, embedConfig(server!.url, { steps: 'missing', pools: ['meta'] }))).toThrow(
      /the meta pool has no steps without a vector to embed/,
    );
    expect(() => planEmbedJob(db!, embedConfig(server!.url, { template: 'Question: {question}' }))).toThrow(/no \{prefix\} placeholder/);
  });
});
