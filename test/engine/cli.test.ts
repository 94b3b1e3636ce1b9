import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src-main/core/store/db';
import { getMetrics } from '../../src-main/core/store/runs-store';
import { insertSynth, synthCorpus } from './synthetic';

let dir: string;
let dbPath: string;
let configPath: string;
const backend = process.env.DREAMPRM_TEST_BACKEND ?? 'wasm';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args, '--db', dbPath], { encoding: 'utf8', timeout: 120_000 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dreamprm-cli-'));
  dbPath = join(dir, 'studio.db');
  configPath = join(dir, 'tiny.json');
  const db = openDb(dbPath);
  await insertSynth(db, synthCorpus(11, [
    { name: 'clean', cots: 30, corrupt: 0 },
    { name: 'noisy', cots: 30, corrupt: 0.5 },
  ], 20));
  db.close();
  writeFileSync(
    configPath,
    JSON.stringify({
      batchSize: 8,
      metaBatchSize: 8,
      checkpointEvery: 10,
      metricsEvery: 5,
      model: { embedDim: 8, patchChannels: 4, readerHeads: 1, hidden: 8, bigramBuckets: 16 },
    }),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dreamprm train / runs / resume / cancel', () => {
  it('trains and prints the promised JSON keys', () => {
    const r = cli('train', '--method', 'domain', '--config', configPath, '--steps', '12', '--backend', backend, '--json');
    expect(r.stderr).not.toMatch(/dreamprm:/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ method: 'domain', backend, steps: 12, status: 'completed' });
    for (const k of ['runId', 'seconds', 'trainLoss', 'metaLoss']) expect(typeof out[k]).toBe('number');
    expect(Object.keys(out.domainWeights).sort()).toEqual(['clean', 'noisy']);
    const uni = JSON.parse(cli('train', '--method', 'uniform', '--config', configPath, '--steps', '4', '--json').stdout);
    expect(uni.domainWeights).toEqual({ clean: 1, noisy: 1 });

    const list = JSON.parse(cli('runs', 'list', '--json').stdout);
    expect(list.map((x: { runId: number }) => x.runId)).toEqual([out.runId, uni.runId]);
    expect(list[0]).toMatchObject({ runId: out.runId, method: 'domain', status: 'completed', step: 12, backend });
    const show = JSON.parse(cli('runs', 'show', String(out.runId), '--json').stdout);
    expect(show).toMatchObject({ runId: out.runId, method: 'domain', status: 'completed', step: 12, backend });
    expect(show.config.method).toBe('domain');
    expect(show.domainWeights).toEqual(out.domainWeights);
  });

  it('fails with one clear line on bad input', () => {
    const bad = cli('train', '--method', 'sideways', '--json');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/dreamprm: training config: method must be one of uniform, domain, instance-table, instance-net/);
    const missing = cli('train', '--method', 'uniform', '--config', join(dir, 'nope.json'));
    expect(missing.stderr).toMatch(/cannot read --config .*nope\.json/);
    expect(cli('runs', 'show', '9999').stderr).toMatch(/run 9999 does not exist/);
    expect(cli('resume', 'abc').stderr).toMatch(/RUN must be a run id/);
    expect(cli('cancel', '1').stderr).toMatch(/run 1 is completed, not running: nothing to cancel/);
    expect(cli('train', '--method', 'uniform', '--backend', 'gpu9000').stderr).toMatch(/--backend must be one of/);
  });

  it('a run killed with -9 reads as interrupted and `resume` completes it', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src-main/cli/main.ts', 'train', '--method', 'instance-table', '--config', configPath,
        '--steps', '5000', '--backend', backend, '--db', dbPath, '--json'],
      { stdio: 'ignore' },
    );
    const db = openDb(dbPath);
    const runId = await new Promise<number>((resolve, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        const row = db
          .prepare(`SELECT r.id FROM runs r JOIN run_checkpoints c ON c.run_id = r.id WHERE r.method = 'instance-table' AND c.step >= 20`)
          .pluck()
          .get() as number | undefined;
        if (row) {
          clearInterval(poll);
          resolve(row);
        } else if (Date.now() - t0 > 60_000) {
          clearInterval(poll);
          reject(new Error('the training run did not checkpoint in time'));
        }
      }, 50);
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const listed = JSON.parse(cli('runs', 'list', '--json').stdout).find((x: { runId: number }) => x.runId === runId);
    expect(listed.status).toBe('interrupted');
    const cancel = cli('cancel', String(runId));
    expect(cancel.stderr).toMatch(/is interrupted, not running/);
    // Finish it quickly: the resumed run keeps its config, so lower the remaining steps in place.
    db.prepare('UPDATE runs SET total_steps = 60, config = json_set(config, \'$.steps\', 60) WHERE id = ?').run(runId);
    const r = cli('resume', String(runId), '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runId, status: 'completed', steps: 60 });
    const steps = getMetrics(db, runId).map((m) => m.step);
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * 5));
    db.close();
  });
});

describe('dreamprm probe', () => {
  it('probes a trained run and reports every domain with a standard error', () => {
    const t = cli('train', '--method', 'uniform', '--config', configPath, '--steps', '10', '--backend', backend, '--json');
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
