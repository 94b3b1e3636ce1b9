/**
 * PRM jobs in the training worker: a best-of-N evaluation and per-step scores, asked of
 * TrainingHost while the worker is the only place tfjs runs.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEvaluation, listEvaluations } from '../../src-main/core/store/eval-store';
import type { Db } from '../../src-main/core/store/db';
import { TrainingHost } from '../../src-main/worker/training-host';
import { tinyConfig } from '../engine/setup';
import { corpusDb, cotIdsByName } from '../explore/helpers';

const backend = (process.env.DREAMPRM_TEST_BACKEND ?? 'wasm') as 'wasm' | 'cpu';

describe('evaluate and score jobs in the training worker', () => {
  let dir: string;
  let db: Db;
  let dbPath: string;
  let host: TrainingHost;
  let runId: number;

  beforeAll(async () => {
    ({ dir, db, dbPath } = await corpusDb());
    host = new TrainingHost(dbPath);
    runId = (await host.start(tinyConfig('uniform', { steps: 6, checkpointEvery: 3 }), { backend })).runId;
    expect((await host.whenDone(runId)).status).toBe('completed');
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('evaluates a run with progress and stores the evaluation', async () => {
    const progress: [number, number][] = [];
    const report = await host.evaluate(runId, 'min', { backend, onProgress: (d, t) => progress.push([d, t]) });
    expect(report).toMatchObject({ runId, agg: 'min', backend });
    expect(report.benchmarks.map((b) => [b.benchmark, b.questions, b.candidates])).toEqual([['bench', 3, 9]]);
    expect(progress.at(-1)).toEqual([9, 9]);
    expect(listEvaluations(db, runId).map((e) => e.evaluationId)).toEqual([report.evaluationId]);
    expect(getEvaluation(db, report.evaluationId)?.agg).toBe('min');
  }, 60_000);

  it('scores CoTs by id with the run\'s latest PRM', async () => {
    const ids = cotIdsByName(db);
    const cots = [ids.get('alpha-q1/c1')!, ids.get('T1/c2')!];
    const r = await host.score(runId, cots, { backend });
    expect(r).toMatchObject({ runId, step: 6 });
    expect(r.scores.map((s) => s.length)).toEqual([3, 2]);
    // Probabilities, not logits. The bounds are inclusive: this tiny PRM, six steps on a
    // nine-CoT corpus, reads image sums in patch units and its float32 sigmoid reaches exactly 1.
    for (const s of r.scores) {
      for (const p of s) {
        expect(Number.isFinite(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }
    }
    // The same PRM gives the same scores (the worker keeps it loaded).
    expect(Array.from((await host.score(runId, cots, { backend })).scores[0])).toEqual(Array.from(r.scores[0]));
  }, 60_000);

  it('fails a job with the reason, and keeps working', async () => {
    await expect(host.score(runId, [987654], { backend })).rejects.toThrow(/CoT 987654 does not exist/);
    await expect(host.evaluate(424242, 'mean', { backend })).rejects.toThrow(/run 424242 does not exist/);
    expect((await host.score(runId, [cotIdsByName(db).get('T2/c1')!], { backend })).scores).toHaveLength(1);
  }, 60_000);
});
