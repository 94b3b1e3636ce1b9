/**
 * The app in a browser against `dreamprm serve`: load the sample, curate data, train, watch a
 * run live, compare runs — and the server's refusals. One browser page walks the steps in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { focusedText, missingPrerequisite, startHarness, type Harness } from './harness';

const missing = missingPrerequisite();
if (missing) console.warn(`e2e tests skipped: ${missing}`);

describe.skipIf(missing !== null)('the app served to a browser', () => {
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    h = await startHarness();
    base = h.server.url;
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  const call = (method: string, args: unknown, token: string | null = h.server.token) =>
    fetch(`${base}api/${method}`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}`, 'content-type': 'application/json' } : {},
      body: JSON.stringify({ args }),
    });

  it('refuses API, image and event requests without the token', async () => {
    expect((await call('info', undefined, null)).status).toBe(401);
    expect((await call('info', undefined, 'guessed-token')).status).toBe(401);
    expect((await fetch(`${base}image/1`)).status).toBe(401);
    const socket = new WebSocket(`${base.replace('http', 'ws')}events`, ['dreamprm']);
    const status = await new Promise<number>((resolve) => {
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => resolve(101));
    });
    expect(status).toBe(401);
    expect((await call('info', undefined)).status).toBe(200);
  });

  it('tells a browser without the token what to open', async () => {
    await h.page.goto(base);
    await h.page.getByRole('alert').getByText('needs the access token').waitFor();
    await h.shot('00-no-token');
    // The 401 the page just got is expected; later checks start from a clean slate.
    h.errors.length = 0;
  });

  it('offers the built-in sample on first start and loads it with a progress bar', async () => {
    const { page } = h;
    await page.goto(h.server.openUrl);
    await page.getByTestId('welcome').waitFor();
    // The token leaves the address bar once read.
    expect(page.url()).not.toContain('token=');
    await h.shot('01-data-empty');
    await page.getByTestId('welcome').getByRole('button', { name: 'Load the built-in sample' }).click();
    await page.getByTestId('import-progress').waitFor();
    await h.shot('02-data-loading');
    await page.getByTestId('import-summary').waitFor({ timeout: 90_000 });
    const trainRows = page.locator('[data-testid="domain-row"]');
    await expect.poll(() => trainRows.count()).toBeGreaterThanOrEqual(9);
    await expect.poll(() => page.getByTestId('welcome').count()).toBe(0);
    // Thumbnails arrive by id through the token-guarded image route and decode.
    const thumbs = page.locator('td.thumbs img');
    await expect.poll(() => thumbs.count()).toBeGreaterThan(10);
    await expect
      .poll(() => thumbs.evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length))
      .toBeGreaterThan(10);
    await h.shot('03-data-loaded');
  }, 120_000);

  it('curates domains: exclude, include and rename from the keyboard', async () => {
    const { page } = h;
    const row = page.locator('[data-testid="domain-row"]').first();
    const name = (await row.getAttribute('data-domain'))!;
    await row.getByRole('button', { name: 'Exclude' }).click();
    await expect.poll(() => row.locator('.badge').textContent()).toBe('excluded');
    await row.getByRole('button', { name: 'Include' }).click();
    await expect.poll(() => row.locator('.badge').count()).toBe(0);

    await row.getByRole('button', { name: 'Rename' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(`${name}-renamed`);
    await page.keyboard.press('Enter');
    await page.locator(`[data-domain="${name}-renamed"]`).waitFor();
    const renamed = page.locator(`[data-domain="${name}-renamed"]`);
    await renamed.getByRole('button', { name: 'Rename' }).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    await page.locator(`[data-domain="${name}"]`).waitFor();
  });

  it('shows an import error for a missing file without breaking the page', async () => {
    const { page } = h;
    await page.getByTestId('import-path').fill('/no/such/corpus.jsonl');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'file not found: /no/such/corpus.jsonl' }).waitFor();
    await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
  });

  it('reaches every page by keyboard', async () => {
    const { page } = h;
    await page.goto(`${base}#/data`);
    // A fresh load, so focus starts at the top of the document.
    await page.reload();
    await page.getByRole('heading', { name: 'Data' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedText(page)).toBe('Train');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New training run' }).waitFor();
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedText(page)).toBe('Runs');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
  });

  it('has logged no console errors', () => {
    expect(h.errors).toEqual([]);
  });
});
