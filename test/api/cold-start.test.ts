/**
 * The app's startRun goes through the training worker's host, which checks a cold start
 * before it writes the run: a bad one is refused with no run left behind and no worker started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStudio } from '../../src-main/worker/open-studio';
import type { StudioService } from '../../src-main/core/api/service';
import { openDb } from '../../src-main/core/store/db';
import { uniformRun } from '../bad-input/helpers';

let dir: string;
let studio: StudioService;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dreamprm-cold-'));
  const db = openDb(join(dir, 'studio.db'));
  uniformRun(db, 'failed');
  db.close();
  studio = openStudio({ dbPath: join(dir, 'studio.db') });
});
afterEach(async () => {
  await studio.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('startRun with a bad cold start, through the real trainer', () => {
  it('refuses a run that does not exist, and writes no run', async () => {
    await expect(studio.api.startRun({ method: 'domain', config: { 'coldStart.fromRun': 99 } })).rejects.toThrow(
      'coldStart.fromRun 99: run 99 does not exist; choose a completed uniform run (dreamprm runs list), or start without a cold start',
    );
    expect((await studio.api.listRuns()).map((r) => r.runId)).toEqual([1]);
  });

  it('refuses a run that did not complete, and writes no run', async () => {
    await expect(studio.api.startRun({ method: 'domain', config: { 'coldStart.fromRun': 1 } })).rejects.toThrow(/run 1 is failed, not completed/);
    expect(await studio.api.listRuns()).toHaveLength(1);
  });
});
