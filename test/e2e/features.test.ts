/**
 * Step vectors and external PRMs in a browser against `dreamprm serve`, on the built-in
 * sample (a small configuration of it): an embed job from the Model server page against the
 * fake embeddings server giving informative vectors (test/policy/fake-models.ts), the Train
 * page then offering the features PRM, a features run evaluated on its page, a score job
 * from the same page, and its "external PRM" row beside the run on the comparison.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSample } from '../../src-main/core/sample';
import { openDb } from '../../src-main/core/store/db';
import { startFakeServer, type FakeServer } from '../policy/fake-server';
import { fakeEmbedder, judgedStep, logprobReply, stepInputLabels } from '../policy/fake-models';
import { featuresSampleConfig } from '../policy/features-sample';
import { missingPrerequisite, startHarness, type Harness } from './harness';

const missing = missingPrerequisite();
if (missing) console.warn(`e2e tests skipped: ${missing}`);

describe.skipIf(missing !== null)('features PRM and external PRMs, in a browser', () => {
  let h: Harness;
  let server: FakeServer;
  const dir = mkdtempSync(join(tmpdir(), 'dreamprm-e2e-features-'));
  let runId: number;

  beforeAll(async () => {
    h = await startHarness();
    await generateSample(join(dir, 'sample'), { seed: 3, config: featuresSampleConfig() });
    await h.studio.api.importFile({ path: join(dir, 'sample', 'corpus.jsonl'), options: { format: 'jsonl' } });
    const db = openDb((await h.studio.api.info()).dbPath);
    const embedder = (() => {
      try {
        return fakeEmbedder(stepInputLabels(db, { input: 'multimodal' }), 16);
      } finally {
        db.close();
      }
    })();
    // Slow enough that progress is seen; the PRM believes long steps a little more.
    server = await startFakeServer(async (r) => {
      if (r.path === '/v1/chat/completions') {
        const { step, turn } = judgedStep(r.body.messages);
        return { body: logprobReply(0.5 + ((step.length * 7 + turn) % 40) / 100) };
      }
      return { ...embedder.respond(r), delayMs: 5 };
    });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const jobRow = (kind: string) => h.page.locator('[data-testid="job-row"]').filter({ hasText: kind }).first();

  it('embeds every step from the Model server page, with progress', async () => {
    const { page } = h;
    await page.goto(h.server.openUrl);
    await page.getByRole('link', { name: 'Model server' }).click();
    await page.getByTestId('server-base-url').fill(server.url);
    await page.getByTestId('server-concurrency').fill('4');
    await page.getByTestId('embed-model').fill('fake-embed');
    await page.getByTestId('start-embed').click();
    await expect.poll(() => page.getByTestId('plan-summary').textContent()).toMatch(/Job #1: [\d,]+ steps in [\d,]+ requests, about [\d,]+ prompt tokens\./);
    const row = jobRow('embed');
    await expect.poll(() => row.getAttribute('data-status')).toBe('running');
    await expect.poll(async () => Number(await row.getByTestId('job-done').textContent()), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await row.getByTestId('job-detail').textContent()).toBe('text + images · train+meta+test');
    await page.getByTestId('jobs-table').scrollIntoViewIfNeeded();
    await h.shot('50-embed-running');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 120_000 }).toBe('completed');
    expect(await row.getByTestId('job-failed').textContent()).toBe('0');
    expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(h.errors).toEqual([]);
  }, 150_000);

  it('offers the features PRM on the Train page once the steps have vectors; its run learns and evaluates', async () => {
    const { page } = h;
    await page.getByRole('link', { name: 'Train', exact: true }).click();
    await page.getByTestId('method-domain').check();
    await expect.poll(() => page.getByTestId('vector-coverage').textContent()).toBe(
      'vectors on 100% of train, 100% of meta, 100% of test steps; length 16',
    );
    await page.getByTestId('field-model.kind').selectOption('features');
    await page.getByTestId('field-steps').fill('300');
    await page.getByTestId('field-steps').press('Tab');
    await page.getByTestId('run-name').fill('features e2e');
    await h.shot('51-train-features');
    await page.getByTestId('start-run').click();
    await page.waitForURL(/#\/runs\/\d+$/);
    runId = Number(/#\/runs\/(\d+)$/.exec(page.url())![1]);
    await page.locator('[data-testid="run-status"]:text-is("completed")').waitFor({ timeout: 120_000 });
    expect((await h.studio.api.getRun({ runId })).config).toMatchObject({ model: { kind: 'features' } });
    expect(await page.getByTestId('run-prm').textContent()).toBe('features PRM');

    await page.getByTestId('evaluate-run').click();
    await page.getByTestId('eval-table').waitFor({ timeout: 60_000 });
    const average = page.getByTestId('eval-table').locator('tr.average td');
    await expect.poll(() => average.count()).toBeGreaterThan(5);
    const cells = await average.allTextContents();
    // pass@1 is the third cell, step AUROC the last: informative test vectors reach the PRM step by step
    expect(Number(cells[cells.length - 1])).toBeGreaterThan(0.85);
    expect(Number(cells[cells.length - 1])).toBeLessThanOrEqual(1);
    await page.getByTestId('eval-table').scrollIntoViewIfNeeded();
    await h.shot('52-features-evaluation');
    expect(h.errors).toEqual([]);
  }, 180_000);

  it('scores the test candidates with an external PRM from the Model server page; the comparison shows it beside the run', async () => {
    const { page } = h;
    await page.getByRole('link', { name: 'Model server' }).click();
    await page.getByTestId('score-model').fill('fake-prm');
    await page.getByTestId('score-label').fill('VisualPRM (fake)');
    await page.getByTestId('start-score').click();
    const row = jobRow('score');
    // Scoring 4,800 candidates; generous for a loaded 2-core runner.
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 150_000 }).toBe('completed');
    expect(await row.getByTestId('job-detail').textContent()).toBe('generative PRM · VisualPRM (fake) · test');
    const link = row.getByTestId('job-evaluation');
    await expect.poll(() => link.textContent()).toMatch(/^Evaluation #\d+$/);
    await page.getByTestId('jobs-table').scrollIntoViewIfNeeded();
    await h.shot('53-score-job');

    await page.goto(`${h.server.url}#/compare/${runId}`);
    const external = page.getByTestId('external-row');
    await expect.poll(() => external.count()).toBe(1);
    expect(await external.textContent()).toContain('external PRM VisualPRM (fake)');
    await page.getByTestId('compare-evaluations').scrollIntoViewIfNeeded();
    await h.shot('54-compare-external-prm');

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await expect.poll(() => page.getByTestId('external-evaluation').count()).toBe(1);
    await page.getByTestId('external-evaluation').getByRole('link', { name: 'Review' }).click();
    await page.waitForURL(/#\/evaluations\/\d+\/review$/);
    expect(h.errors).toEqual([]);
  }, 240_000);
});
