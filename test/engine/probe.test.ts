import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngine, disposeEngine } from '../../src-main/core/engine/build';
import { probeDomains } from '../../src-main/core/engine/probe';
import { disposeTrainingData, tensorsFromRaw } from '../../src-main/core/engine/training-data';
import { openDb } from '../../src-main/core/store/db';
import { imageTableOf, insertSynth, synthCorpus } from './synthetic';
import { tinyConfig, useTestBackend } from './setup';

beforeAll(useTestBackend);

describe('the hypergradient probe', () => {
  it('finds clean domains helpful and corrupted ones harmful at a uniformly trained PRM', () => {
    const corpus = synthCorpus(5, [
      { name: 'clean', cots: 120, corrupt: 0 },
      { name: 'corrupt', cots: 120, corrupt: 0.7 },
    ], 80);
    const config = tinyConfig('uniform', { steps: 120, batchSize: 32, lower: { lr: 0.01 }, model: { kind: 'features', hidden: 16 } });
    const data = tensorsFromRaw(corpus.train, corpus.meta, config.model, imageTableOf(corpus));
    const engine = buildEngine(data, config);
    try {
      for (let i = 0; i < config.steps; i++) engine.runStep();
      const probe = probeDomains(engine.lower, data, { agg: 'logodds', target: 'label' }, { batches: 12, batchSize: 32, metaBatchSize: 80, seed: 1 });
      const by = Object.fromEntries(probe.map((p) => [p.domain, p]));
      expect(by.clean.instances + by.corrupt.instances).toBe(12 * 32);
      expect(by.clean.helpfulness).toBeGreaterThan(0);
      expect(by.corrupt.helpfulness).toBeLessThan(0);
      // the difference is far outside the noise
      expect(by.clean.helpfulness - by.corrupt.helpfulness).toBeGreaterThan(3 * (by.clean.stderr + by.corrupt.stderr));
    } finally {
      disposeEngine(engine);
      disposeTrainingData(data);
    }
  });
});

describe('dreamprm probe', () => {
  let dir: string;
  let dbPath: string;
  const backend = process.env.DREAMPRM_TEST_BACKEND ?? 'wasm';
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args, '--db', dbPath], { encoding: 'utf8', timeout: 120_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dreamprm-probe-'));
    dbPath = join(dir, 'studio.db');
    const db = openDb(dbPath);
    await insertSynth(db, synthCorpus(11, [
      { name: 'clean', cots: 30, corrupt: 0 },
      { name: 'noisy', cots: 30, corrupt: 0.5 },
    ], 20));
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('probes a trained run and reports every domain with a standard error', () => {
    const t = cli('train', '--method', 'uniform', '--steps', '10', '--backend', backend, '--json');
    expect(t.status, t.stderr).toBe(0);
    const { runId } = JSON.parse(t.stdout) as { runId: number };
    const r = cli('probe', '--run', String(runId), '--batches', '3', '--meta-batch', '20', '--target', 'rank', '--backend', backend, '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { spec: { target: string }; domains: { domain: string; helpfulness: number; stderr: number }[] };
    expect(out.spec.target).toBe('rank');
    expect(out.domains.map((d) => d.domain).sort()).toEqual(['clean', 'noisy']);
    for (const d of out.domains) expect(Number.isFinite(d.helpfulness) && d.stderr >= 0).toBe(true);
  });

  it('says clearly what is wrong with a bad run id or option', () => {
    const missing = cli('probe', '--run', '999');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/run 999 does not exist/);
    const bad = cli('probe', '--run', '1', '--target', 'median');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--target must be one of label, both, rank/);
  });
});
