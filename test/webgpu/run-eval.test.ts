import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../../src-main/core/engine/config';
import { trainRun } from '../../src-main/core/engine/trainer';
import { evaluateRun } from '../../src-main/core/eval/run-eval';
import { loadBuiltInSample } from '../../src-main/core/sample/cache';
import { parseSampleConfig } from '../../src-main/core/sample';
import { openDb } from '../../src-main/core/store/db';
import { createRun, getRun } from '../../src-main/core/store/runs-store';
import { useSoftwareGpu } from './software-gpu';

// A stored run trained through the trainer (checkpoints, weights, the device record) on
// SwiftShader, then evaluated best-of-N there and on cpu: the same scores, the same table.
const skip = await useSoftwareGpu();
const dir = mkdtempSync(join(tmpdir(), 'dreamprm-webgpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLE = parseSampleConfig({
  imageSize: 48,
  train: [
    { name: 'clean', tasks: ['bars'], size: 24 },
    { name: 'noisy', tasks: ['count'], size: 24, corruptionRate: 0.4 },
  ],
  meta: { name: 'dev', tasks: ['bars', 'count'], size: 12 },
  test: [{ name: 'bench', tasks: ['bars', 'count'], questions: 6, candidates: 4 }],
});

describe.skipIf(skip !== null)('a stored run on webgpu (SwiftShader)', () => {
  it('trains, records its device and parity, and evaluates like cpu', async () => {
    const dbPath = join(dir, 'studio.db');
    const db = openDb(dbPath);
    try {
      await loadBuiltInSample(db, dbPath, 1, undefined, SAMPLE);
      const config = parseTrainConfig({
        method: 'domain',
        steps: 2,
        batchSize: 4,
        metaBatchSize: 4,
        checkpointEvery: 1,
        upper: { unroll: 1 },
        model: { embedDim: 8, hidden: 8, vocabSize: 48, bigramBuckets: 8, patchChannels: 4, readerHeads: 2 },
      });
      const runId = createRun(db, { method: 'domain', config, totalSteps: 2, backend: 'webgpu' });
      const out = await trainRun(db, runId, { backend: 'webgpu' });
      expect(out).toMatchObject({ status: 'completed', backend: 'webgpu', fallback: null });
      const run = getRun(db, runId);
      expect(run.device).toMatch(/swiftshader.*software/);
      expect(run.parityMaxAbsDiff!).toBeLessThan(1e-4);
      const onGpu = await evaluateRun(db, runId, { backend: 'webgpu' });
      const onCpu = await evaluateRun(db, runId, { backend: 'cpu' });
      expect(onGpu.backend).toBe('webgpu');
      expect(onGpu.average).toEqual(onCpu.average);
    } finally {
      db.close();
    }
  }, 300_000);
});
