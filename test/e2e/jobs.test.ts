/**
 * The Model server page in a browser against `dreamprm serve`: settings, a generate job
 * planned and run against a fake OpenAI-compatible server on 127.0.0.1, its progress bar and
 * counters reaching completion, a clear error for a server that refuses the key, and the
 * confirmation asked before a job stored against a server not named in this session runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planGenerateJob } from '../../src-main/core/policy/jobs';
import { openDb } from '../../src-main/core/store/db';
import { startFakeServer, type FakeServer } from '../policy/fake-server';
import { fakePolicy, generateConfig, seedQuestions } from '../policy/fixtures';
import { missingPrerequisite, startHarness, type Harness } from './harness';

const missing = missingPrerequisite();
if (missing) console.warn(`e2e tests skipped: ${missing}`);

describe.skipIf(missing !== null)('model-server jobs, in a browser', () => {
  let h: Harness;
  let server: FakeServer;
  let denying: FakeServer;
  let planted: FakeServer;

  beforeAll(async () => {
    h = await startHarness();
    // Slow enough that the bar is seen moving; 10 questions, one request each.
    server = await startFakeServer(async (r) => ({ ...fakePolicy(r), delayMs: 250 }));
    denying = await startFakeServer(() => ({ status: 401, body: { error: { message: 'invalid api key' } } }));
    planted = await startFakeServer(fakePolicy);
    const db = openDb((await h.studio.api.info()).dbPath);
    try {
      seedQuestions(db, 'test', 'BenchA', 10);
    } finally {
      db.close();
    }
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await server?.close();
    await denying?.close();
    await planted?.close();
  });

  const row = (jobId: number) => h.page.locator(`[data-testid="job-row"][data-job="${jobId}"]`);

  it('plans and runs a generate job; the bar and the counters reach completion', async () => {
    const { page } = h;
    await page.goto(h.server.openUrl);
    await page.getByRole('link', { name: 'Model server' }).click();
    await page.waitForURL(/#\/jobs$/);
    await expect.poll(() => page.getByTestId('api-key-note').textContent()).toMatch(/No key|environment/);

    await page.getByTestId('server-base-url').fill(server.url);
    await page.getByTestId('server-model').fill('fake-vl');
    await page.getByTestId('server-price-prompt').fill('0.5');
    await page.getByTestId('server-price-completion').fill('1.5');
    await page.getByTestId('server-concurrency').fill('2');
    await page.getByTestId('server-api-key').fill('sk-e2e');
    await page.getByTestId('generate-n').fill('3');
    await page.getByTestId('start-generate').click();

    const jobId = (await h.studio.api.listJobs())[0]?.jobId;
    await expect.poll(() => page.getByTestId('job-row').count()).toBe(1);
    const r = row(jobId ?? 1);
    // mid-run: running, some but not all requests finished
    await expect.poll(() => r.getAttribute('data-status')).toBe('running');
    await expect.poll(async () => Number(await r.getByTestId('job-done').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('api-key-note').textContent()).toMatch(/memory .* only, never written to the database/);
    await h.shot('39-model-server-running');

    await expect.poll(() => r.getAttribute('data-status'), { timeout: 30_000 }).toBe('completed');
    expect(await r.getByTestId('job-done').textContent()).toBe('10');
    expect(await r.getByTestId('job-failed').textContent()).toBe('0');
    expect(await r.getByTestId('job-pending').textContent()).toBe('0');
    expect(await r.getByTestId('job-progress-text').textContent()).toBe('10 / 10 done');
    expect(await r.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    // 10 requests × (100 prompt + 60 completion tokens) at 0.5 and 1.5 per 1k
    expect(await r.getByTestId('job-tokens').textContent()).toBe('1,000 + 600');
    expect(await r.getByTestId('job-cost').textContent()).toBe((1 * 0.5 + 0.6 * 1.5).toFixed(4));
    expect(server.requests.every((q) => q.headers.authorization === 'Bearer sk-e2e')).toBe(true);
    await h.shot('40-model-server-jobs');
    expect(h.errors).toEqual([]);
  }, 60_000);

  it('shows the core\'s error for a server that refuses the key, with a resume button', async () => {
    const { page } = h;
    await page.getByTestId('server-base-url').fill(denying.url);
    await page.getByTestId('generate-limit').fill('2');
    await page.getByTestId('start-generate').click();
    await expect.poll(() => page.getByTestId('job-row').count()).toBe(2);
    const failed = page.locator('[data-testid="job-row"][data-status="failed"]');
    await expect.poll(() => failed.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('job-error').first().textContent()).toMatch(/2 of 2 requests failed.*401.*check the API key/);
    expect(await failed.getByTestId('job-resume').isEnabled()).toBe(true);
    // nothing done: the bar stays empty although every request has finished (failed)
    expect(await failed.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0');
    // a bad setting is named in the page, nothing is planned
    await page.getByTestId('server-base-url').fill('localhost:8000');
    await page.getByTestId('start-generate').click();
    await expect.poll(() => page.getByTestId('jobs-error').textContent()).toMatch(/must start with http/);
    expect(await page.getByTestId('job-row').count()).toBe(2);
    await h.shot('41-model-server-error');
    expect(h.errors).toEqual([]);
  }, 60_000);

  it('asks, naming the host, before resuming a job stored against a server not named in this session', async () => {
    const { page } = h;
    const db = openDb((await h.studio.api.info()).dbPath);
    let jobId: number;
    try {
      // As a handed-over database would hold it: an unfinished job pointing at someone else's server.
      jobId = planGenerateJob(db, { ...generateConfig(planted.url, 1), limit: 2 }).jobId;
      db.prepare(`UPDATE jobs SET status = 'cancelled' WHERE id = ?`).run(jobId);
    } finally {
      db.close();
    }
    await page.reload();
    const host = new URL(planted.url).host;
    const resume = row(jobId).getByTestId('job-resume');
    await resume.click();
    await expect.poll(() => page.getByTestId('trust-host').textContent()).toBe(host);
    expect(await page.getByTestId('trust-server').textContent()).toContain(planted.url);
    await h.shot('42-model-server-trust-prompt');
    await page.getByTestId('trust-cancel').click();
    expect(await page.getByTestId('trust-server').count()).toBe(0);
    expect(planted.requests).toHaveLength(0);

    await resume.click();
    await page.getByTestId('trust-confirm').click();
    await expect.poll(() => row(jobId).getAttribute('data-status'), { timeout: 20_000 }).toBe('completed');
    expect(planted.requests).toHaveLength(2);
    expect(planted.requests.every((q) => q.headers.authorization === 'Bearer sk-e2e')).toBe(true);
    expect(h.errors).toEqual([]);
  }, 60_000);
});
