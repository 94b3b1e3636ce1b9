/**
 * A walk over every page of the app in a browser against `dreamprm serve`, on a database made
 * without training (runs written the way the trainer writes them): no page error, no console
 * error, no failed request anywhere. On the way: the explorer's weight filters (a number
 * input once threw `trim is not a function`), the compare page's text-only marker and
 * cold-start lineage, and the import panel's report of a file with bad records.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { defaultConfig, type TrainConfig } from '../../src-main/core/engine/config';
import { evaluate } from '../../src-main/core/eval/evaluate';
import { openDb, type Db } from '../../src-main/core/store/db';
import { appendDomainWeights, appendMetrics, createRun, finishRun } from '../../src-main/core/store/runs-store';
import { corpusRecords, fakeRun, png } from '../explore/helpers';
import { missingPrerequisite, startHarness, type Harness } from './harness';

const missing = missingPrerequisite();
if (missing) console.warn(`e2e tests skipped: ${missing}`);

/** A finished run with a loss curve, as the trainer leaves it. */
function finishedRun(db: Db, config: TrainConfig, steps: number, name: string): number {
  const runId = createRun(db, { method: config.method, config, totalSteps: steps, backend: 'wasm', name });
  appendMetrics(
    db,
    runId,
    Array.from({ length: steps / 10 }, (_, i) => ({ step: (i + 1) * 10, trainLoss: 0.3 - i * 0.005, weightedLoss: null, metaLoss: 0.25 - i * 0.003, lr: 0.01, throughput: 50 })),
  );
  db.prepare('UPDATE runs SET step = ? WHERE id = ?').run(steps, runId);
  if (config.method === 'domain') appendDomainWeights(db, runId, steps, { alpha: 1.2, beta: 0.8 });
  finishRun(db, runId, 'completed');
  return runId;
}

describe.skipIf(missing !== null)('every page, in a browser, without an error', () => {
  let h: Harness;
  let dir: string;
  const ids = { uniform: 0, textOnly: 0, domain: 0, table: 0, evaluation: 0 };
  const failed: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    const dbPath = (await h.studio.api.info()).dbPath;
    dir = join(dbPath, '..', 'walk');
    mkdirSync(join(dir, 'img'), { recursive: true });
    writeFileSync(join(dir, 'img', 'a.png'), await png([200, 40, 40]));
    writeFileSync(join(dir, 'corpus.jsonl'), corpusRecords().map((r) => JSON.stringify(r)).join('\n') + '\n');
    const db = openDb(dbPath);
    await importFile(db, join(dir, 'corpus.jsonl'));
    const uniform = { ...defaultConfig('uniform'), steps: 200 };
    ids.uniform = finishedRun(db, uniform, 200, 'baseline');
    ids.textOnly = finishedRun(db, { ...uniform, model: { ...uniform.model, image: false } }, 200, 'ablation');
    const domain = defaultConfig('domain');
    ids.domain = finishedRun(db, { ...domain, steps: 100, coldStart: { ...domain.coldStart, fromRun: ids.uniform } }, 100, 'continued');
    ids.table = fakeRun(db, { 1: () => 1, 80: (i) => 0.5 + (i % 5) / 4 });
    const steps = db.prepare('SELECT n_steps FROM cots WHERE id = ?').pluck();
    const scorer = async (cots: number[]) => cots.map((id) => new Float32Array(steps.get(id) as number).fill(0.6));
    ids.evaluation = (await evaluate(db, { runId: ids.uniform, label: 'walk', agg: 'mean', scorer })).evaluationId;
    db.close();
    h.page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    h.page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.url()}: HTTP ${r.status()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  const heading = (name: string | RegExp) => h.page.getByRole('heading', { name, exact: typeof name === 'string' }).first().waitFor();

  it('opens every page by its address', async () => {
    const { page, server } = h;
    await page.goto(server.openUrl);
    await heading('Data');
    const pages: [string, string | RegExp][] = [
      ['#/train', 'New training run'],
      ['#/runs', 'Runs'],
      [`#/runs/${ids.uniform}`, /^Run #\d+ · baseline$/],
      [`#/runs/${ids.table}/explore`, /instances$/],
      [`#/compare/${ids.uniform},${ids.textOnly},${ids.domain}`, 'Compare runs'],
      [`#/evaluations/${ids.evaluation}/review`, /^Review · evaluation/],
      ['#/annotations', 'Annotations'],
      ['#/jobs', 'Model server'],
      ['#/data', 'Data'],
    ];
    for (const [hash, name] of pages) {
      await page.goto(`${server.url}${hash}`);
      await heading(name);
      // Let the page's own requests settle before the next one.
      await page.waitForLoadState('networkidle');
      await h.shot(`40-walk-${hash.replace(/[#/,]+/g, '-').replace(/^-|-$/g, '')}`);
    }
  }, 120_000);

  it('filters the explorer by weight, typed and cleared, without a page error', async () => {
    const { page, server } = h;
    await page.goto(`${server.url}#/runs/${ids.table}/explore`);
    await page.getByTestId('explorer-info').waitFor({ timeout: 30_000 });
    const count = () => page.getByTestId('explorer-count').textContent();
    await expect.poll(count).toMatch(/^12 matches/);
    await page.getByTestId('filter-min').fill('1');
    await expect.poll(count).toMatch(/^\d matches?/);
    await page.getByTestId('filter-max').fill('1.2');
    await page.getByTestId('filter-min').fill('');
    await page.getByTestId('filter-max').fill('');
    await expect.poll(count).toMatch(/^12 matches/);
    await h.shot('41-walk-explorer-filtered');
    expect(h.errors).toEqual([]);
  });

  it('marks the text-only ablation and shows a cold-started run with its parent and total steps', async () => {
    const { page, server } = h;
    await page.goto(`${server.url}#/compare/${ids.uniform},${ids.textOnly},${ids.domain}`);
    const rows = page.getByTestId('compare-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).getByTestId('compare-method').textContent()).toMatch(/^\s*uniform\s*$/);
    expect(await rows.nth(1).getByTestId('compare-method').textContent()).toMatch(/^\s*uniform · text-only\s*$/);
    expect((await rows.nth(2).getByTestId('compare-steps').textContent())!.replace(/\s+/g, ' ').trim()).toBe(`100 + 200 of #${ids.uniform} = 300`);
    await expect.poll(() => page.getByTestId('compare-evaluations').textContent()).toContain('uniform · text-only');
    await h.shot('42-walk-compare-lineage');
  });

  it('shows the import report of a file with bad records in the import panel', async () => {
    const { page, server } = h;
    const bad = join(dir, 'bad.jsonl');
    const good = corpusRecords()[0];
    const lines = [{ ...good, qid: 'new-1' }, { ...good, qid: 'new-2', steps: [{ text: 'x', m: 1.5 }] }, { ...good, qid: 'new-3', steps: [] }];
    writeFileSync(bad, lines.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await page.goto(`${server.url}#/data`);
    await page.getByTestId('import-path').fill(bad);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const report = page.getByTestId('import-summary');
    await expect.poll(() => report.getAttribute('data-status')).toBe('partial');
    expect(await report.locator('.headline').textContent()).toBe(`${bad} (jsonl): 3 records read: 1 imported, 2 skipped, 0 already in the database`);
    const skipped = await page.getByTestId('import-skipped').textContent();
    expect(skipped).toContain('1 × steps[].m: m must be in [0, 1] (record 2)');
    expect(skipped).toContain('1 × steps: has no steps: a CoT needs at least one (record 3)');
    await h.shot('43-walk-import-report');
    // The partial import is an error notice on purpose; dismiss it so the walk ends clean.
    await page.getByRole('alert').filter({ hasText: 'Partial import' }).getByRole('button', { name: 'Dismiss' }).click();
  });

  it('saw no page error, no console error and no failed request', () => {
    expect(h.errors).toEqual([]);
    expect(failed).toEqual([]);
  });
});
