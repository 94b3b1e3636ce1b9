import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src-main/core/store/db';
import { getRun, listRuns } from '../../src-main/core/store/runs-store';
import { TrainingHost, type RunProgress } from '../../src-main/worker/training-host';
import { insertSynth, synthCorpus } from './synthetic';
import { tinyConfig } from './setup';

let dir: string;
let dbPath: string;
const backend = (process.env.DREAMPRM_TEST_BACKEND ?? 'wasm') as 'wasm' | 'cpu';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dreamprm-worker-'));
  dbPath = join(dir, 'studio.db');
  const db = openDb(dbPath);
  await insertSynth(db, synthCorpus(9, [
    { name: 'clean', cots: 30, corrupt: 0 },
    { name: 'noisy', cots: 30, corrupt: 0.5 },
  ], 20));
  db.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TrainingHost and its worker', () => {
  it('runs jobs one after another in one worker, streaming progress', async () => {
    const host = new TrainingHost(dbPath);
    const seen: RunProgress[] = [];
    host.onProgress((p) => seen.push(p));
    const a = await host.start(tinyConfig('uniform', { steps: 10 }), { backend });
    const b = await host.start(tinyConfig('domain', { steps: 10, upper: { unroll: 2 } }), { backend, name: 'second' });
    const [oa, ob] = await Promise.all([host.whenDone(a.runId), host.whenDone(b.runId)]);
    expect(oa).toMatchObject({ runId: a.runId, method: 'uniform', status: 'completed', steps: 10, backend });
    expect(ob).toMatchObject({ runId: b.runId, method: 'domain', status: 'completed', steps: 10 });
    expect(Object.keys(ob.domainWeights).sort()).toEqual(['clean', 'noisy']);
    const last = seen.filter((p) => p.runId === b.runId).at(-1)!;
    expect(last.step).toBe(10);
    expect(last.totalSteps).toBe(10);
    expect(last.trainLoss).toBeGreaterThan(0);
    expect(last.etaSeconds).toBe(0);
    // The second job started after the first finished (one worker, sequential jobs).
    const firstB = seen.findIndex((p) => p.runId === b.runId);
    expect(seen.slice(firstB).every((p) => p.runId === b.runId)).toBe(true);
    // A finished run's outcome is read from the store.
    expect((await host.whenDone(a.runId)).status).toBe('completed');
    await host.close();
  });

  it('cancels a running run and resumes it to completion', async () => {
    const host = new TrainingHost(dbPath);
    const { runId } = await host.start(tinyConfig('instance-table', { steps: 150, checkpointEvery: 1000 }), { backend });
    let cancelled = false;
    host.onProgress((p) => {
      if (p.runId === runId && p.step >= 5 && !cancelled) {
        cancelled = true;
        host.cancel(runId);
      }
    });
    const o = await host.whenDone(runId);
    expect(o.status).toBe('cancelled');
    expect(o.steps).toBeLessThan(150);
    await host.close();

    const db = openDb(dbPath);
    expect(getRun(db, runId)).toMatchObject({ status: 'cancelled', lastCheckpointStep: o.steps });
    db.close();

    const again = new TrainingHost(dbPath);
    await again.resume(runId);
    await expect(again.resume(runId)).rejects.toThrow(/is still running/);
    const done = await again.whenDone(runId);
    expect(done).toMatchObject({ status: 'completed', steps: 150 });
    await expect(again.resume(runId)).rejects.toThrow(/is completed: nothing to resume/);
    await again.close();
  });

  it('rejects a bad cold start before creating a run, and refuses an in-memory database', async () => {
    const host = new TrainingHost(dbPath);
    const before = (() => {
      const db = openDb(dbPath);
      const n = listRuns(db).length;
      db.close();
      return n;
    })();
    // A bad config no longer reaches the host (it takes a parsed config: the API's startRun
    // parses); a cold start the database refuses is still refused before a run is written.
    await expect(host.start(tinyConfig('domain', { coldStart: { fromRun: 999 } }))).rejects.toThrow(/run 999 does not exist/);
    const db = openDb(dbPath);
    expect(listRuns(db).length).toBe(before);
    db.close();
    await host.close();
    expect(() => new TrainingHost(':memory:')).toThrow(/database file/);
  });
});
