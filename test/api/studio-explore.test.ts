/**
 * The API's evaluation, explorer, review and annotation methods over a real database, with
 * in-process stand-ins for the training worker (its jobs are tested in worker-jobs.test.ts).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrmJobs } from '../../src-main/core/api/eval-api';
import type { RunTrainer } from '../../src-main/core/api/runs-api';
import { dispatch, type StudioService } from '../../src-main/core/api/service';
import { createStudio } from '../../src-main/core/api/studio';
import type { StudioEvent } from '../../src-main/core/api/types';
import { evaluate } from '../../src-main/core/eval/evaluate';
import type { Db } from '../../src-main/core/store/db';
import * as runs from '../../src-main/core/store/runs-store';
import { recordRunInputs } from '../../src-main/core/annotate/run-inputs';
import { corpusDb, cotIdsByName, fakeRun } from '../explore/helpers';

/** Creates runs in the store the way the worker would; nothing trains. */
function storeOnlyTrainer(db: Db): RunTrainer {
  return {
    start: async (config, name) => {
      const runId = runs.createRun(db, { method: config.method, config, totalSteps: config.steps, backend: 'cpu', name });
      recordRunInputs(db, runId, config.metaSource);
      return runId;
    },
    resume: async () => {},
    cancel: async (runId) => void runs.requestCancel(db, runId),
    backend: async () => ({ name: 'cpu', note: null }),
    onProgress: () => () => {},
    onStatus: () => () => {},
    close: async () => {},
  };
}

/** Scores every step 0.8 for the first candidate of a question, 0.4 otherwise. */
function fakeJobs(db: Db): PrmJobs & { scored: number[][] } {
  const nSteps = db.prepare('SELECT n_steps FROM cots WHERE id = ?').pluck();
  const first = db.prepare(`SELECT ext_id = 'c1' FROM cots WHERE id = ?`).pluck();
  const scorer = async (ids: number[]) => ids.map((id) => new Float32Array(nSteps.get(id) as number).fill(first.get(id) ? 0.8 : 0.4));
  const scored: number[][] = [];
  return {
    scored,
    async evaluate(runId, agg, onProgress) {
      const report = await evaluate(db, { runId, label: `run ${runId}`, agg, scorer, onProgress });
      return { ...report, backend: 'fake', truth: null };
    },
    async score(_runId, cotIds) {
      scored.push(cotIds);
      return { step: 7, scores: await scorer(cotIds) };
    },
  };
}

describe('the studio API: evaluation, explorer, review and annotation', () => {
  let dir: string;
  let db: Db;
  let studio: StudioService;
  let jobs: ReturnType<typeof fakeJobs>;
  let runId: number;
  const events: StudioEvent[] = [];
  const api = () => studio.api;

  beforeAll(async () => {
    ({ dir, db } = await corpusDb());
    jobs = fakeJobs(db);
    studio = createStudio({ dbPath: `${dir}/studio.db`, db, trainer: storeOnlyTrainer(db), jobs, closeDb: false });
    studio.subscribe((e) => events.push(e));
    runId = fakeRun(db, { 0: () => 1, 10: (i) => 0.5 + i / 10 });
  });

  afterAll(async () => {
    await studio.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('evaluates a run with progress events and lists and reads its evaluations', async () => {
    const e = await api().evaluateRun({ runId, agg: 'mean', jobId: 'ev-1' });
    expect(e).toMatchObject({ runId, agg: 'mean', label: `run ${runId}`, skippedCandidates: 0, truth: null });
    expect(e.benchmarks).toHaveLength(1);
    expect(e.benchmarks[0]).toMatchObject({ benchmark: 'bench', questions: 3, candidates: 9 });
    expect(Object.keys(e.average.bon).sort()).toEqual(['last', 'logodds', 'max', 'mean', 'min', 'prod']);
    const progress = events.filter((x) => x.type === 'eval-progress');
    expect(progress.at(-1)).toEqual({ type: 'eval-progress', jobId: 'ev-1', runId, done: 9, total: 9 });
    const second = await api().evaluateRun({ runId });
    expect(second.agg).toBe('logodds');
    expect((await api().listEvaluations({ runId })).map((x) => x.evaluationId)).toEqual([second.evaluationId, e.evaluationId]);
    // what computed the scores comes with evaluateRun's answer only; the stored evaluation is the rest
    const { backend, device, ...stored } = e;
    expect(backend).toBe('fake');
    expect(device).toBeUndefined();
    expect(await api().getEvaluation({ evaluationId: e.evaluationId })).toEqual(stored);
    await expect(api().evaluateRun({ runId, agg: 'median' })).rejects.toThrow(/evaluateRun: agg/);
    await expect(api().evaluateRun({ runId: 777 })).rejects.toMatchObject({ name: 'NotFound', message: 'run 777 does not exist' });
    await expect(api().getEvaluation({ evaluationId: 999 })).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('builds a run\'s explorer table on first open, with progress, and pages it', async () => {
    const info = await api().explorerInfo({ runId });
    expect(info).toMatchObject({ runId, instances: 12, step: 10, firstStep: 0, domains: ['alpha', 'beta'], stale: false });
    expect(events.some((x) => x.type === 'explore-progress' && x.runId === runId && x.phase === 'indexes')).toBe(true);
    const page = await api().explorerPage({ runId, query: { sort: 'weight', desc: true, domain: 'beta', limit: 3 }, withTotal: true });
    expect(page.total).toBe(6);
    expect(page.rows.map((r) => r.idx)).toEqual([11, 10, 9]);
    expect(page.rows[0]).toMatchObject({ domain: 'beta', weight0: 1, weight: expect.closeTo(1.6, 5), steps: 3 });
    await expect(api().explorerPage({ runId, query: { sort: 'name' as 'idx' } })).rejects.toThrow(/explorerPage: query\.sort/);
    await expect(api().explorerPage({ runId, query: { limit: 0 } })).rejects.toThrow(/explorerPage: query\.limit/);
    await expect(api().explorerPage({ runId, query: {}, extra: 1 } as never)).rejects.toThrow(/explorerPage: .*extra/);
    const h = await api().explorerHistograms({ runId, bins: 4 });
    expect(h.domains.map((d) => [d.domain, d.instances])).toEqual([['alpha', 6], ['beta', 6]]);
  });

  it('opens an instance and scores its CoT through the PRM jobs', async () => {
    const d = await api().getInstance({ runId, idx: 0 });
    expect(d.row.idx).toBe(0);
    expect(d.trajectory.map((p) => p.step)).toEqual([0, 10]);
    const s = await api().scoreCot({ runId, cotId: d.row.cotId });
    expect(s).toEqual({ runId, cotId: d.row.cotId, step: 7, scores: [expect.closeTo(0.8, 5), expect.closeTo(0.8, 5), expect.closeTo(0.8, 5)] });
    expect(jobs.scored.at(-1)).toEqual([d.row.cotId]);
    await expect(api().scoreCot({ runId, cotId: 99999 })).rejects.toThrow('no CoT with id 99999');
    await expect(api().getInstance({ runId, idx: 50 })).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('fills the loss column with the PRM jobs, with progress events', async () => {
    const info = await api().computeLosses({ runId });
    expect(info.lossesStep).toBe(7);
    expect(events.some((x) => x.type === 'explore-progress' && x.phase === 'losses' && x.done === 12)).toBe(true);
    const page = await api().explorerPage({ runId, query: { sort: 'loss', desc: false, limit: 12 } });
    expect(page.rows.every((r) => r.loss !== null)).toBe(true);
    await expect(api().computeLosses({ runId: 555 })).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('reviews an evaluation question by question', async () => {
    const [latest, older] = await api().listEvaluations({ runId });
    const idx = await api().reviewIndex({ evaluationId: older.evaluationId, filter: 'wrong-choice' });
    // The fake PRM always picks c1; the correct candidate is c2 on T1 and T2.
    expect(idx.items.map((i) => i.extId)).toEqual(['T1', 'T2']);
    const q = await api().reviewQuestion({ evaluationId: older.evaluationId, questionId: idx.items[0].questionId, otherEvaluationId: latest.evaluationId });
    expect(q.candidates.map((c) => [c.extId, c.chosen, c.otherChosen, c.correct])).toEqual([
      ['c1', true, true, false],
      ['c2', false, false, true],
      ['c3', false, false, false],
    ]);
    await expect(api().reviewIndex({ evaluationId: older.evaluationId, filter: 'odd' as 'all' })).rejects.toThrow(/reviewIndex: filter/);
    await expect(api().reviewQuestion({ evaluationId: older.evaluationId, questionId: 1, agg: 'avg' })).rejects.toThrow(/reviewQuestion: agg: not an aggregation/);
  });

  it('annotates with the name from the settings, undoes, promotes, exports, and the next run records the annotated meta CoTs', async () => {
    const ids = cotIdsByName(db);
    await expect(api().annotate({ cotId: ids.get('T1/c1')!, value: 1 })).rejects.toThrow(/set your name as annotator first/);
    expect(await api().setSettings({ annotator: 'Grace' })).toMatchObject({ annotator: 'Grace' });
    expect(await api().getSettings()).toMatchObject({ annotator: 'Grace' });
    const step = await api().annotate({ cotId: ids.get('T1/c1')!, stepIdx: 0, value: 0 });
    expect(step.cot.steps[0]).toMatchObject({ human: 0, humanBy: 'Grace', source: 'human' });
    const judged = await api().annotate({ cotId: ids.get('T1/c1')!, value: 1 });
    expect(judged.cot).toMatchObject({ correct: true, correctBy: 'Grace' });
    await expect(api().annotate({ cotId: ids.get('T1/c1')!, stepIdx: 0, value: 3 as 1 })).rejects.toThrow(/annotate: value/);
    const undone = await api().undoAnnotation();
    expect(undone.undone).toMatchObject({ stepIdx: null, value: 1 });
    expect(undone.cot?.correct).toBe(false);
    await api().annotate({ cotId: ids.get('T1/c1')!, value: 0 });
    const promoted = await api().promoteToMeta();
    expect(promoted).toMatchObject({ domain: 'annotated', promoted: 1, fromTestPool: 1, domainCots: 1, metaPoolCots: 3 });
    const stats = await api().annotationStats({ recent: 5 });
    expect(stats).toMatchObject({ stepLabels: 1, cotLabels: 1, cots: 1, recorded: 3, undone: 1, promoted: 1 });
    const exported = await api().exportAnnotations();
    expect(exported.count).toBe(2);
    expect((await api().exportAnnotations({ all: true })).count).toBe(3);

    const started = await api().startRun({ method: 'domain', config: { steps: 10 } });
    const detail = await api().getRun({ runId: started.runId });
    expect(detail.inputs).toEqual(
      expect.arrayContaining([
        { pool: 'meta', domain: 'annotated', cots: 1, humanSteps: 1 },
        { pool: 'meta', domain: 'dev', cots: 2, humanSteps: 0 },
        { pool: 'train', domain: 'alpha', cots: 6, humanSteps: 0 },
      ]),
    );
  });

  it('refuses unknown methods and malformed arguments as values', async () => {
    expect(await dispatch(api(), 'annotate', { cotId: -1, value: 1 })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/annotate: cotId/) } });
    expect(await dispatch(api(), 'setSettings', { annotator: 5 })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/setSettings: annotator/) } });
  });
});
