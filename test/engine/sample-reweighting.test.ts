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
 * The corrupted twins must end below the clean domains of the same tasks. About 220 s in CI.
 */
describe('domain reweighting on the built-in sample', () => {
  // Failed (as `it.fails`) until the reader's where-to-look became a softmax over rows times a
  // softmax over columns (prm/reader.ts): before it the cold start stayed on its plateau (step
  // AUROC 0.50–0.56) and the domain table's hypergradients were noise.
  it('gives the corrupted domains lower weights than the clean ones', async () => {
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
  }, 600_000);
});
