/** RunsState (the runs table: loading, events, sorting, filtering, tags, selection) and CompareState (runs side by side). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunSummary } from '../../src-main/core/api/types';
import { CompareState, lineage, methodLabel } from '../../src-renderer/src/lib/compare-state.svelte';
import { RunsState } from '../../src-renderer/src/lib/runs-state.svelte';
import { failing, fakeStudio, settle, type FakeApi } from './fake-studio';
import { evaluationDetail, evaluationSummary, overview, runDetail, runSummary } from './fixtures';

afterEach(() => vi.useRealTimers());

const result = (bestOfN: number) => ({ evaluationId: 1, agg: 'logodds', selection: 'weighted-vote', bestOfN, majority: 50, passAt1: 40, oracle: 90 }) as const;

function runsApi(runs: RunSummary[], extra: FakeApi = {}): FakeApi {
  return {
    listRuns: async () => runs.map((r) => ({ ...r })),
    runsOverview: async () => [
      overview({ runId: 1, tags: ['baseline'], result: result(61) }),
      overview({ runId: 2, role: 'reweighting', result: result(66) }),
    ],
    listEvaluations: async () => [evaluationSummary({ evaluationId: 5, runId: 1 }), evaluationSummary({ evaluationId: 6, runId: null, label: 'VisualPRM' })],
    ...extra,
  };
}

const threeRuns = [
  runSummary({ runId: 1, name: 'Cold', method: 'uniform' }),
  runSummary({ runId: 2, name: 'alpha', method: 'domain' }),
  runSummary({ runId: 3, name: 'beta', method: 'domain', status: 'running', step: 10, totalSteps: 200 }),
];

describe('RunsState', () => {
  it('loads runs, their results by id and only the evaluations of external PRMs, and drops vanished selections', async () => {
    const studio = fakeStudio(runsApi(threeRuns));
    const runs = new RunsState(studio.app);
    runs.selected = [3, 7];
    await runs.refresh();
    expect(runs.loaded).toBe(true);
    expect(runs.runs.map((r) => r.runId)).toEqual([1, 2, 3]);
    expect(runs.overview.get(2)?.role).toBe('reweighting');
    expect(runs.external.map((e) => e.label)).toEqual(['VisualPRM']);
    expect(runs.selected).toEqual([3]);
  });

  it('shows failed loads as notices and still counts as loaded', async () => {
    const studio = fakeStudio(runsApi([], { listRuns: failing('Busy', 'locked'), runsOverview: failing('Busy', 'locked') }));
    const runs = new RunsState(studio.app);
    await runs.refresh();
    expect(runs.loaded).toBe(true);
    expect(studio.notices()).toEqual(['error: Loading runs: locked', 'error: Loading run results: locked']);
  });

  it('filters rows by words and sorts by a column, turning the order round on a second click', async () => {
    const runs = new RunsState(fakeStudio(runsApi(threeRuns)).app);
    await runs.refresh();
    runs.filter = 'domain';
    expect(runs.rows.map((r) => r.run.runId)).toEqual([2, 3]);
    runs.filter = '';
    runs.sortBy('name');
    expect([runs.sortKey, runs.desc]).toEqual(['name', false]);
    expect(runs.rows.map((r) => r.run.name)).toEqual(['alpha', 'beta', 'Cold']);
    runs.sortBy('name');
    expect(runs.rows.map((r) => r.run.name)).toEqual(['Cold', 'beta', 'alpha']);
  });

  it('sorts by best-of-N best first, runs without a figure last', async () => {
    const runs = new RunsState(fakeStudio(runsApi(threeRuns)).app);
    await runs.refresh();
    runs.sortBy('bestOfN');
    expect(runs.desc).toBe(true);
    expect(runs.rows.map((r) => r.run.runId)).toEqual([2, 1, 3]);
  });

  it('applies progress events to a known run in place and refreshes for an unknown one or a status change', async () => {
    vi.useFakeTimers();
    const studio = fakeStudio(runsApi(threeRuns));
    const runs = new RunsState(studio.app);
    const stop = runs.start();
    await settle();
    const progress = { type: 'run-progress', step: 50, totalSteps: 200, trainLoss: 0.4, weightedLoss: null, metaLoss: null, domainWeights: null, stepsPerSecond: null, etaSeconds: null } as const;
    studio.emit({ ...progress, runId: 3 });
    expect(runs.runs[2]).toMatchObject({ step: 50, trainLoss: 0.4, metaLoss: null });
    expect(studio.argsOf('listRuns')).toHaveLength(1);
    studio.emit({ ...progress, runId: 9 });
    studio.emit({ type: 'run-status', runId: 3, status: 'completed', error: null });
    studio.emit({ type: 'runs-changed' });
    await settle();
    expect(studio.argsOf('listRuns')).toHaveLength(4);
    stop();
    expect(studio.listeners()).toBe(0);
  });

  it('polls every 3 s while a run is running, and stops polling when stopped', async () => {
    vi.useFakeTimers();
    const studio = fakeStudio(runsApi(threeRuns));
    const runs = new RunsState(studio.app);
    const stop = runs.start();
    await settle();
    await vi.advanceTimersByTimeAsync(3000);
    expect(studio.argsOf('listRuns')).toHaveLength(2);
    stop();
    await vi.advanceTimersByTimeAsync(9000);
    expect(studio.argsOf('listRuns')).toHaveLength(2);
  });

  it('does not poll when no run is running', async () => {
    vi.useFakeTimers();
    const studio = fakeStudio(runsApi(threeRuns.slice(0, 2)));
    const stop = new RunsState(studio.app).start();
    await settle();
    await vi.advanceTimersByTimeAsync(9000);
    expect(studio.argsOf('listRuns')).toHaveLength(1);
    stop();
  });

  it('keeps the cleaned tags the studio returns, and the old ones when saving fails', async () => {
    const studio = fakeStudio(runsApi(threeRuns, { setRunTags: async ({ tags }) => tags.map((t) => t.trim().toLowerCase()) }));
    const runs = new RunsState(studio.app);
    await runs.refresh();
    await runs.setTags(1, [' Best ', 'GPU']);
    expect(runs.overview.get(1)?.tags).toEqual(['best', 'gpu']);

    const broken = fakeStudio(runsApi(threeRuns, { setRunTags: failing('Invalid', 'too many tags') }));
    const other = new RunsState(broken.app);
    await other.refresh();
    await other.setTags(1, ['x']);
    expect(other.overview.get(1)?.tags).toEqual(['baseline']);
    expect(broken.notices()).toEqual(['error: Saving tags: too many tags']);
  });

  it('toggles runs in and out of the selection, in click order', () => {
    const runs = new RunsState(fakeStudio({}).app);
    runs.toggle(3);
    runs.toggle(1);
    runs.toggle(3);
    runs.toggle(2);
    expect(runs.selected).toEqual([1, 2]);
  });
});

describe('compare helpers', () => {
  it('read the cold start and the image ablation from a config, with the parent run’s steps', () => {
    const all = [runSummary({ runId: 4, step: 300 })];
    expect(lineage({ coldStart: { fromRun: 4 }, model: { image: false } }, all)).toEqual({ parent: { runId: 4, steps: 300 }, textOnly: true });
    expect(lineage({ coldStart: { fromRun: 8 } }, all)).toEqual({ parent: { runId: 8, steps: 0 }, textOnly: false });
    expect(lineage({ coldStart: { fromRun: '4' }, model: 'odd' }, all)).toEqual({ parent: null, textOnly: false });
  });

  it('label a text-only run by its method and the ablation', () => {
    const run = runDetail({ runId: 1, method: 'uniform' });
    expect(methodLabel({ run, textOnly: true })).toBe('uniform · text-only');
    expect(methodLabel({ run, textOnly: false })).toBe('uniform');
  });
});

describe('CompareState', () => {
  const compareApi: FakeApi = {
    listRuns: async () => [runSummary({ runId: 1, step: 100 }), runSummary({ runId: 2, method: 'domain' })],
    runsOverview: async () => [overview({ runId: 2, role: 'reweighting' })],
    getRun: async ({ runId }) =>
      runId === 2
        ? runDetail({ runId, method: 'domain', config: { coldStart: { fromRun: 1 } }, domainWeights: { maps: 1.2, charts: 0.8 } })
        : runDetail({ runId, domainWeights: { charts: 1 } }),
    getMetrics: async ({ runId }) => [{ step: 1, trainLoss: runId, weightedLoss: null, metaLoss: null, lr: null, throughput: null }],
    listEvaluations: async (req) => {
      if (req?.runId === 1) return [evaluationSummary({ evaluationId: 11, runId: 1 }), evaluationSummary({ evaluationId: 10, runId: 1 })];
      if (req?.runId) return [];
      return Array.from({ length: 7 }, (_, i) => evaluationSummary({ evaluationId: 20 + i, runId: i === 0 ? 1 : null }));
    },
    getEvaluation: async ({ evaluationId }) => evaluationDetail({ evaluationId }, evaluationId === 11 ? ['maps', 'charts'] : ['tables']),
  };

  it('loads each compared run with its metrics, newest evaluation and lineage', async () => {
    const state = new CompareState(fakeStudio(compareApi).app);
    await state.load([1, 2]);
    expect(state.loading).toBe(false);
    expect(state.compared.map((c) => [c.run.runId, c.metrics[0].trainLoss, c.evaluation?.evaluationId ?? null])).toEqual([
      [1, 1, 11],
      [2, 2, null],
    ]);
    expect(state.compared[1].parent).toEqual({ runId: 1, steps: 100 });
    expect(state.overview.get(2)?.role).toBe('reweighting');
  });

  it('shows the first five evaluations of external PRMs in the order the studio lists them (newest first)', async () => {
    const state = new CompareState(fakeStudio(compareApi).app);
    await state.load([]);
    expect(state.external.map((e) => e.evaluationId)).toEqual([21, 22, 23, 24, 25]);
  });

  it('lists the benchmarks and domains of the compared runs once each, in name order', async () => {
    const state = new CompareState(fakeStudio({ ...compareApi, listEvaluations: async (req) => (req?.runId === 1 ? [evaluationSummary({ evaluationId: 11 })] : []) }).app);
    await state.load([1, 2]);
    expect(state.benchmarks).toEqual(['charts', 'maps']);
    expect(state.domains).toEqual(['charts', 'maps']);
  });

  it('shows nothing compared, with a notice, when one of the runs fails to load', async () => {
    const studio = fakeStudio({ ...compareApi, getRun: failing('NotFound', 'no run 2') });
    const state = new CompareState(studio.app);
    await state.load([1, 2]);
    expect(state.compared).toEqual([]);
    expect(state.loading).toBe(false);
    expect(studio.notices()).toEqual(['error: Loading the compared runs: no run 2']);
  });
});
