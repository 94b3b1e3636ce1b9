/**
 * End-to-end harness: `dreamprm serve` in this process on a free port over a temporary
 * database, and Debian's Chromium driven by playwright-core. Screenshots go to
 * test-artifacts/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { openStudio } from '../../src-main/worker/open-studio';
import type { StudioService } from '../../src-main/core/api/service';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { DEFAULT_RENDERER_DIR } from '../../src-main/server/static-files';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshotDir = join(repoRoot, 'test-artifacts', 'screenshots');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the e2e tests cannot run here, or null when they can. */
export function missingPrerequisite(): string | null {
  if (!existsSync(CHROMIUM)) {
    return `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`;
  }
  return null;
}

export interface Harness {
  server: RunningServer;
  studio: StudioService;
  browser: Browser;
  page: Page;
  /** console errors and uncaught page errors seen so far */
  errors: string[];
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(join(DEFAULT_RENDERER_DIR, 'index.html'))) {
    throw new Error('out/renderer is missing: the e2e tests need `npx electron-vite build` first (npm test does it)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'dreamprm-e2e-'));
  const studio = openStudio({ dbPath: join(dir, 'studio.db') });
  const server = await startServer({ studio, port: 0, rendererDir: DEFAULT_RENDERER_DIR });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  mkdirSync(screenshotDir, { recursive: true });

  return {
    server,
    studio,
    browser,
    page,
    errors,
    async shot(name) {
      const file = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async close() {
      await browser.close();
      await server.close();
      await studio.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The text of the focused element (evaluated in the page; this project has no DOM types). */
export function focusedText(page: Page): Promise<string | null> {
  return page.evaluate('document.activeElement ? document.activeElement.textContent : null') as Promise<string | null>;
}
