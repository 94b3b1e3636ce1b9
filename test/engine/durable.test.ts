import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackState } from '../../src-main/core/engine/checkpoint';
import type { EngineState } from '../../src-main/core/engine/engine';
import { loadTrainedPrm, createStepScorer } from '../../src-main/core/engine/scoring';
import { trainRun } from '../../src-main/core/engine/trainer';
import { SimulatedCrash } from '../../src-main/core/engine/trainer-types';
import { openDb, type Db } from '../../src-main/core/store/db';
import {
  createRun,
  getDomainWeightTrajectory,
  getInstanceWeightSnapshot,
  getMetrics,
  getRun,
  latestCheckpoint,
  listRuns,
  reconcileStaleRuns,
  requestCancel,
} from '../../src-main/core/store/runs-store';
import { insertSynth, synthCorpus } from './synthetic';
import { tinyConfig, useTestBackend } from './setup';

let dir: string;
let db: Db;

beforeAll(async () => {
  await useTestBackend();
  dir = mkdtempSync(join(tmpdir(), 'dreamprm-durable-'));
  db = openDb(join(dir, 'studio.db'));
  await insertSynth(db, synthCorpus(7, [
    { name: 'clean', cots: 30, corrupt: 0 },
    { name: 'noisy', cots: 30, corrupt: 0.5 },
  ], 20));
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function newRun(method: string, over: Record<string, unknown> = {}): number {
  const config = tinyConfig(method, over);
  return createRun(db, { method, config, totalSteps: config.steps, backend: 'wasm' });
}

const backend = () => (process.env.DREAMPRM_TEST_BACKEND ?? 'wasm') as 'wasm' | 'cpu';
const finalParams = (runId: number) =>
  unpackState<{ engine: EngineState }>(latestCheckpoint(db, runId)!.state).engine;

describe('durable runs', () => {
  it('a completed run stores status, metrics, weights, snapshots and a final checkpoint', async () => {
    const runId = newRun('instance-table', { steps: 12 });
    const o = await trainRun(db, runId, { backend: backend() });
    expect(o.status).toBe('completed');
    expect(o.steps).toBe(12);
    const r = getRun(db, runId);
    expect(r.status).toBe('completed');
    expect(r.step).toBe(12);
    expect(r.backend).toBe(backend());
    expect(r.lastCheckpointStep).toBe(12);
    expect(Object.keys(r.domainWeights).sort()).toEqual(['clean', 'noisy']);
    expect(getMetrics(db, runId).map((m) => m.step)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(getMetrics(db, runId, 8).map((m) => m.step)).toEqual([10, 12]);
    expect(getDomainWeightTrajectory(db, runId).map((p) => p.step)).toEqual([0, 5, 10, 12]);
    const snap = getInstanceWeightSnapshot(db, runId)!;
    expect(snap.step).toBe(12);
    expect(snap.weights.length).toBe(60);
    expect(snap.cotIds.length).toBe(60);
    expect(snap.domainNames).toEqual(['clean', 'noisy']);
    expect(getInstanceWeightSnapshot(db, runId, 0)!.weights.every((w) => w === 1)).toBe(true);
    expect(listRuns(db).find((x) => x.runId === runId)?.status).toBe('completed');
  });

  it('same seed and config give the same result', async () => {
    const over = { steps: 10, upper: { unroll: 2, metaLr: 0.1 }, model: { dropout: 0.3 } };
    const a = newRun('domain', over);
    const b = newRun('domain', over);
    const c = newRun('domain', { ...over, seed: 1 });
    for (const id of [a, b, c]) await trainRun(db, id, { backend: backend() });
    expect(finalParams(b).lower.params).toEqual(finalParams(a).lower.params);
    expect(getRun(db, b).domainWeights).toEqual(getRun(db, a).domainWeights);
    expect(finalParams(c).lower.params['fusion.out']).not.toEqual(finalParams(a).lower.params['fusion.out']);
  });

  it.each(['uniform', 'domain', 'instance-table', 'instance-net'])(
    '%s: a crash after a checkpoint and a resume lose nothing',
    async (method) => {
      const over = { steps: 14, checkpointEvery: 5, upper: { unroll: 2 }, model: { dropout: 0.3 } };
      const straight = newRun(method, over);
      await trainRun(db, straight, { backend: backend() });
      const crashed = newRun(method, over);
      await expect(trainRun(db, crashed, { backend: backend(), crashAfterCheckpoint: 10 })).rejects.toBeInstanceOf(SimulatedCrash);
      // The dead process's run is still 'running'; with a dead owner it reads as interrupted.
      db.prepare('UPDATE runs SET owner_pid = 999999999 WHERE id = ?').run(crashed);
      expect(reconcileStaleRuns(db)).toContain(crashed);
      expect(getRun(db, crashed).status).toBe('interrupted');
      expect(getRun(db, crashed).error).toMatch(/dreamprm resume/);
      const resumed = await trainRun(db, crashed, { backend: backend() });
      expect(resumed.status).toBe('completed');
      const a = finalParams(straight);
      const b = finalParams(crashed);
      for (const name of Object.keys(a.lower.params)) {
        const x = a.lower.params[name];
        const y = b.lower.params[name];
        for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-6);
      }
      expect(b.upper).toEqual(a.upper);
      expect(getMetrics(db, crashed)).toEqual(
        getMetrics(db, straight).map((m) => ({ ...m, throughput: expect.any(Number) })),
      );
      expect(getDomainWeightTrajectory(db, crashed)).toEqual(getDomainWeightTrajectory(db, straight));
    },
  );

  it('a NaN loss fails the run with a message naming the step and keeps the last good checkpoint', async () => {
    const runId = newRun('domain', { steps: 20, checkpointEvery: 5 });
    const o = await trainRun(db, runId, { backend: backend(), injectNaNAt: 8 });
    expect(o.status).toBe('failed');
    const r = getRun(db, runId);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/non-finite training loss \(NaN\) at step 8/);
    expect(r.error).toMatch(/last good checkpoint \(step 5\) is kept/);
    expect(r.lastCheckpointStep).toBe(5);
    const ck = finalParams(runId);
    expect(Object.values(ck.lower.params).every((a) => a.every(Number.isFinite))).toBe(true);
  });

  it('a cancel request stops the run at a step boundary with a checkpoint; resume finishes it', async () => {
    const runId = newRun('uniform', { steps: 30, checkpointEvery: 100 });
    let asked = false;
    const o = await trainRun(db, runId, {
      backend: backend(),
      onProgress: (p) => {
        if (!asked && p.step >= 3) {
          asked = true;
          requestCancel(db, runId); // as `dreamprm cancel` from another process would
        }
      },
      shouldCancel: () => asked, // the database flag is polled only every second
    });
    expect(o.status).toBe('cancelled');
    const r = getRun(db, runId);
    expect(r.status).toBe('cancelled');
    expect(r.lastCheckpointStep).toBe(r.step);
    expect(r.step).toBeLessThan(30);
    expect(() => requestCancel(db, runId)).toThrow(/is cancelled, not running/);
    const done = await trainRun(db, runId, { backend: backend() });
    expect(done.status).toBe('completed');
    expect(getRun(db, runId).step).toBe(30);
  });

  it('a trained run scores CoTs by id (for best-of-N evaluation)', async () => {
    const runId = newRun('uniform', { steps: 6 });
    await trainRun(db, runId, { backend: backend() });
    const model = loadTrainedPrm(db, runId);
    const ids = db.prepare('SELECT id FROM cots ORDER BY id LIMIT 5').pluck().all() as number[];
    const scores = await createStepScorer(db, model)(ids);
    expect(scores.map((s) => s.length)).toEqual([4, 4, 4, 4, 4]);
    expect(scores.flatMap((s) => Array.from(s)).every((p) => p > 0 && p < 1)).toBe(true);
    const again = await createStepScorer(db, model)([ids[2]]);
    expect(Array.from(again[0])).toEqual(Array.from(scores[2]));
    await expect(createStepScorer(db, model)([987654])).rejects.toThrow(/CoT 987654 does not exist/);
    model.dispose();
    expect(() => loadTrainedPrm(db, newRun('uniform'))).toThrow(/has no trained model yet/);
  });

  it('explains missing data and bad cold starts', async () => {
    const runId = newRun('domain', { coldStart: { fromRun: 424242 } });
    const o = await trainRun(db, runId, { backend: backend() });
    expect(o.status).toBe('failed');
    expect(o.error).toMatch(/run 424242 does not exist/);
    const dom = newRun('domain', { steps: 4 });
    await trainRun(db, dom, { backend: backend() });
    const cold = newRun('domain', { coldStart: { fromRun: dom } });
    expect((await trainRun(db, cold, { backend: backend() })).error).toMatch(/is a domain run; cold start needs a completed uniform run/);
    // A stored config that no longer validates, or a backend that cannot start, fails the
    // run instead of leaving it 'running'.
    const broken = newRun('uniform');
    db.prepare(`UPDATE runs SET config = json_set(config, '$.steps', -5) WHERE id = ?`).run(broken);
    expect((await trainRun(db, broken, { backend: backend() })).error).toMatch(/run \d+ config: steps/);
    expect(getRun(db, broken).status).toBe('failed');
    const nativeless = newRun('uniform');
    const n = await trainRun(db, nativeless, { backend: 'tfjs-node-gpu' });
    expect(n.status).toBe('failed');
    expect(n.error).toMatch(/tfjs-node-gpu/);
    expect(getRun(db, nativeless).status).toBe('failed');
    const empty = openDb(join(dir, 'empty.db'));
    const id = createRun(empty, { method: 'uniform', config: tinyConfig('uniform'), totalSteps: 20, backend: 'wasm' });
    const e = await trainRun(empty, id, { backend: backend() });
    expect(e.error).toMatch(/no training data: the train pool has no CoTs with step labels/);
    empty.close();
  });

  it('cold start from a completed uniform run starts from its weights', async () => {
    const uni = newRun('uniform', { steps: 8 });
    await trainRun(db, uni, { backend: backend() });
    const other = newRun('domain', { steps: 1, coldStart: { fromRun: uni }, model: { hidden: 12 } });
    expect((await trainRun(db, other, { backend: backend() })).error).toMatch(/trained a different model/);
    // Dropout is a training setting: a cold start may change it.
    const cold = newRun('domain', { steps: 1, coldStart: { fromRun: uni }, lower: { lr: 1e-9 }, model: { dropout: 0.2 } });
    const o = await trainRun(db, cold, { backend: backend() });
    expect(o.status).toBe('completed');
    const a = finalParams(uni).lower.params['fusion.out'];
    const b = finalParams(cold).lower.params['fusion.out'];
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 4);
  });
});
