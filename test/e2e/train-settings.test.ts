/**
 * The new-run form in a browser shows the settings derived from the config schema: the main
 * ones in the grid, model sizes and optimizer details under "More settings", each method's own.
 * No data and no training: only the form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, startHarness, type Harness } from './harness';

const missing = missingPrerequisite();
if (missing) console.warn(`e2e tests skipped: ${missing}`);

describe.skipIf(missing !== null)('the training form from the schema', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('shows every method its settings, the details folded', async () => {
    const { page } = h;
    await page.goto(h.server.openUrl);
    await page.getByRole('link', { name: 'Train', exact: true }).click();
    await page.getByRole('heading', { name: 'New training run' }).waitFor();
    await page.getByTestId('method-domain').check();
    const targets = await page.getByTestId('field-upper.target').locator('option').allTextContents();
    expect(targets).toEqual(['label', 'both', 'rank']);
    expect(await page.getByTestId('field-model.hidden').isVisible()).toBe(false);
    await page.getByText('More settings').click();
    expect(await page.getByTestId('field-model.hidden').isVisible()).toBe(true);
    expect(await page.getByTestId('field-upper.darts-radius').count()).toBe(0);
    expect(await page.getByTestId('field-upper.dartsRadius').inputValue()).toBe('0.01');
    expect(await page.getByTestId('field-upper.tableActivation').count()).toBe(0);
    await page.getByTestId('method-instance-table').check();
    expect(await page.getByTestId('field-upper.tableActivation').isVisible()).toBe(true);
    expect(await page.getByTestId('field-checkpointEvery').count()).toBe(0);
    await page.getByTestId('field-model.hidden').fill('32');
    await page.getByTestId('field-model.hidden').press('Tab');
    await expect.poll(() => page.getByTestId('form-basis').textContent()).toMatch(/1 changed/);
    await h.shot('train-settings-more');
    expect(h.errors).toEqual([]);
  }, 60_000);
});
