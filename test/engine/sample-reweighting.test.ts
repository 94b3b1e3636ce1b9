import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../../src-main/core/engine/config';
import { trainRun } from '../../src-main/core/engine/trainer';
import { loadBuiltInSample } from '../../src-main/core/sample/cache';
import { defaultSampleConfig } from '../../src-main/core/sample/config';
import { openDb } from '../../src-main/core/store/db';
import { createRun, getRun } from '../../src-main/core/store/runs-store';

const dir = mkdtempSync(join(tmpdir(), 'dreamprm-sample-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const backend = (process.env.DREAMPRM_TEST_BACKEND ?? 'wasm') as 'wasm' | 'cpu';

/**
 * The method on the built-in sample: a default uniform PRM (the cold start; it needs its full
 * 1,500 steps to learn the image-grounded checks), then a short domain-table run from it.
 * The corrupted twins must end below the clean domains of the same tasks. About 45 s here.
 */
describe('domain reweighting on the built-in sample', () => {
  // KNOWN FAILURE (issue 14), kept visible rather than skipped: at training seed 1 the uniform
  // cold start is still on its initial plateau after 1,500 steps (step AUROC 0.50–0.56, logits'
  // sd 0.26 on a fixed batch), so the domain table's hypergradients are noise (measured: clean
  // min 0.95 < corrupted max 1.12). When the PRM learns reliably this starts to pass, vitest
  // reports the `it.fails` as failed, and it goes back to `it`.
  it.fails('gives the corrupted domains lower weights than the clean ones', async () => {
    const dbPath = join(dir, 'studio.db');
    const db = openDb(dbPath);
    try {
      await loadBuiltInSample(db, dbPath, 1);
      const train = async (input: object) => {
        const config = parseTrainConfig(input);
        const runId = createRun(db, { method: config.method, config, totalSteps: config.steps, backend });
        const o = await trainRun(db, runId, { backend });
        expect(o.status, o.error ?? '').toBe('completed');
        return runId;
      };
      const uniform = await train({ method: 'uniform', seed: 1 });
      const domain = await train({ method: 'domain', seed: 1, steps: 500, coldStart: { fromRun: uniform } });
      const w = getRun(db, domain).domainWeights;
      const sample = defaultSampleConfig().train;
      const clean = sample.filter((d) => d.corruptionRate === 0).map((d) => w[d.name]);
      const corrupted = sample.filter((d) => d.corruption === 'invert' && d.corruptionRate >= 0.3).map((d) => w[d.name]);
      expect(clean.length).toBeGreaterThanOrEqual(2);
      expect(corrupted.length).toBeGreaterThanOrEqual(2);
      expect(Math.min(...clean)).toBeGreaterThan(Math.max(...corrupted));
    } finally {
      db.close();
    }
  }, 300_000);
});
