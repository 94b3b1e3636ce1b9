/** RunView (a run's page: series, live progress, cancel and resume) and EvaluationState (its evaluations). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EvaluationDetail, MetricPoint, RunProgress } from '../../src-main/core/api/types';
import { EvaluationState } from '../../src-renderer/src/lib/evaluation-state.svelte';
import { RunView } from '../../src-renderer/src/lib/run-view.svelte';
import { deferred, failing, fakeStudio, settle, type FakeApi } from './fake-studio';
import { evaluationDetail, evaluationSummary, runDefaults, runDetail } from './fixtures';

afterEach(() => vi.useRealTimers());

const point = (step: number): MetricPoint => ({ step, trainLoss: 1 / step, weightedLoss: null, metaLoss: null, lr: null, throughput: null });

/** A run whose stored metrics grow by ten steps at every read. */
function runApi(status: 'running' | 'completed' = 'running', extra: FakeApi = {}): FakeApi {
  return {
    getRun: async ({ runId }) => runDetail({ runId, status, step: 20, totalSteps: 100 }),
    getMetrics: async ({ sinceStep }) => (sinceStep === undefined ? [point(10), point(20)] : [point(sinceStep + 10)]),
    getDomainWeights: async () => [{ step: 20, weights: { charts: 1.1 } }],
    getWeightHistogram: async () => ({ step: 20, instances: 4, edges: [0, 1], counts: [4] }),
    ...extra,
  };
}

const progress = (runId: number, step: number): { type: 'run-progress' } & RunProgress => ({
  type: 'run-progress',
  runId,
  step,
  totalSteps: 100,
  trainLoss: 0.5,
  weightedLoss: null,
  metaLoss: null,
  domainWeights: null,
  stepsPerSecond: 2,
  etaSeconds: 40,
});

describe('RunView', () => {
  it('reads the whole series first, then only the metrics after the last step it has', async () => {
    const studio = fakeStudio(runApi());
    const view = new RunView(studio.app, 3);
    await view.refresh();
    expect(view.metrics.map((m) => m.step)).toEqual([10, 20]);
    expect(view.histogram?.instances).toBe(4);
    await view.refresh();
    expect(studio.argsOf('getMetrics')).toEqual([{ runId: 3, sinceStep: undefined }, { runId: 3, sinceStep: 20 }]);
    expect(view.metrics.map((m) => m.step)).toEqual([10, 20, 30]);
    await view.refresh(true);
    expect(view.metrics.map((m) => m.step)).toEqual([10, 20]);
  });

  it('marks a run that does not exist as missing, and shows other failures as notices', async () => {
    const gone = new RunView(fakeStudio(runApi('running', { getRun: failing('NotFound', 'no run 3') })).app, 3);
    await gone.refresh();
    expect(gone.missing).toBe('no run 3');

    const studio = fakeStudio(runApi('running', { getWeightHistogram: failing('Busy', 'locked') }));
    const busy = new RunView(studio.app, 3);
    await busy.refresh();
    expect(busy.missing).toBeNull();
    expect(studio.notices()).toEqual(['error: Loading run 3: locked']);
  });

  it('reports progress from live events over the stored run, within 0–1', async () => {
    const studio = fakeStudio(runApi());
    const view = new RunView(studio.app, 3);
    expect(view.progress).toBe(0);
    await view.refresh();
    expect(view.progress).toBe(0.2);
    const stop = view.start();
    studio.emit(progress(3, 60));
    studio.emit(progress(4, 90));
    expect(view.live?.step).toBe(60);
    expect(view.live).not.toHaveProperty('type');
    expect(view.progress).toBe(0.6);
    studio.emit(progress(3, 150));
    expect(view.progress).toBe(1);
    stop();
  });

  it('re-reads the series at most once a second however many progress events come', async () => {
    vi.useFakeTimers();
    const studio = fakeStudio(runApi('completed'));
    const view = new RunView(studio.app, 3);
    const stop = view.start();
    await settle();
    for (let step = 21; step < 30; step++) studio.emit(progress(3, step));
    await vi.advanceTimersByTimeAsync(999);
    expect(studio.argsOf('getRun')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(studio.argsOf('getRun')).toHaveLength(2);
    stop();
  });

  it('drops live progress and re-reads everything when the run stops', async () => {
    vi.useFakeTimers();
    const studio = fakeStudio(runApi('completed'));
    const view = new RunView(studio.app, 3);
    const stop = view.start();
    await settle();
    studio.emit(progress(3, 30));
    studio.emit({ type: 'run-status', runId: 3, status: 'completed', error: null });
    expect(view.live).toBeNull();
    await settle();
    expect(studio.argsOf('getMetrics').at(-1)).toEqual({ runId: 3, sinceStep: undefined });
    stop();
  });

  it('polls a running run every 2 s when no events come, and a finished one never', async () => {
    vi.useFakeTimers();
    const running = fakeStudio(runApi('running'));
    const stopRunning = new RunView(running.app, 3).start();
    const done = fakeStudio(runApi('completed'));
    const stopDone = new RunView(done.app, 3).start();
    await settle();
    await vi.advanceTimersByTimeAsync(4000);
    expect(running.argsOf('getRun')).toHaveLength(3);
    expect(done.argsOf('getRun')).toHaveLength(1);
    stopRunning();
    stopDone();
  });

  it('cancels and resumes, re-reading the run after each, and shows a failed cancel as a notice', async () => {
    const studio = fakeStudio(runApi('running', { cancelRun: failing('Conflict', 'not running'), resumeRun: async ({ runId }) => runDetail({ runId }) }));
    const view = new RunView(studio.app, 3);
    await view.cancel();
    expect(view.acting).toBe(false);
    expect(studio.notices()).toEqual(['error: Cancelling: not running']);
    expect(studio.argsOf('getRun')).toHaveLength(1);
    await view.resume();
    expect(studio.argsOf('resumeRun')).toEqual([{ runId: 3 }]);
    expect(studio.argsOf('getMetrics').at(-1)).toEqual({ runId: 3, sinceStep: undefined });
  });
});

function evalApi(extra: FakeApi = {}): FakeApi {
  return {
    listEvaluations: async () => [evaluationSummary({ evaluationId: 8, runId: 3 }), evaluationSummary({ evaluationId: 7, runId: 3 })],
    getEvaluation: async ({ evaluationId }) => evaluationDetail({ evaluationId, runId: 3 }),
    runDefaults: async () => runDefaults(),
    ...extra,
  };
}

describe('EvaluationState', () => {
  it('shows the newest evaluation, keeps the one shown while it is listed, and none when the list is empty', async () => {
    let list = [evaluationSummary({ evaluationId: 8, runId: 3 }), evaluationSummary({ evaluationId: 7, runId: 3 })];
    const studio = fakeStudio(evalApi({ listEvaluations: async () => list }));
    const state = new EvaluationState(studio.app, 3);
    await state.refresh();
    expect(state.shown?.evaluationId).toBe(8);
    await state.show(7);
    await state.refresh();
    expect(state.shown?.evaluationId).toBe(7);
    expect(studio.argsOf('getEvaluation')).toEqual([{ evaluationId: 8 }, { evaluationId: 7 }]);
    list = [];
    await state.refresh();
    expect(state.shown).toBeNull();
  });

  it('evaluates with the chosen aggregation, shows the result and re-reads the list', async () => {
    const answer = deferred<EvaluationDetail>();
    const studio = fakeStudio(evalApi({ evaluateRun: () => answer.promise }));
    const state = new EvaluationState(studio.app, 3);
    state.agg = 'min';
    const evaluating = state.evaluate();
    expect(state.running).toBe(true);
    expect(state.progress).toEqual({ done: 0, total: 0 });
    answer.resolve(evaluationDetail({ evaluationId: 9, runId: 3, agg: 'min' }));
    await evaluating;
    expect(studio.argsOf('evaluateRun')).toEqual([{ runId: 3, agg: 'min' }]);
    expect(state.shown?.evaluationId).toBe(9);
    expect(state.list.map((e) => e.evaluationId)).toEqual([8, 7]);
    expect([state.running, state.progress]).toEqual([false, null]);
  });

  it('shows a failed evaluation as a notice and keeps the one shown', async () => {
    const studio = fakeStudio(evalApi({ evaluateRun: failing('WorkerError', 'out of memory') }));
    const state = new EvaluationState(studio.app, 3);
    await state.refresh();
    await state.evaluate();
    expect(state.shown?.evaluationId).toBe(8);
    expect(state.running).toBe(false);
    expect(studio.notices()).toEqual(['error: Evaluating: out of memory']);
  });

  it('follows progress of this run’s evaluations and loads one another window finished', async () => {
    vi.useFakeTimers();
    const studio = fakeStudio(evalApi());
    const state = new EvaluationState(studio.app, 3);
    const stop = state.start();
    await settle();
    expect(state.aggregations).toEqual(['mean', 'logodds', 'min']);
    studio.emit({ type: 'eval-progress', jobId: null, runId: 4, done: 1, total: 2 });
    expect(state.progress).toBeNull();
    studio.emit({ type: 'eval-progress', jobId: null, runId: 3, done: 1, total: 2 });
    expect(state.progress).toEqual({ done: 1, total: 2 });
    studio.emit({ type: 'eval-progress', jobId: null, runId: 3, done: 2, total: 2 });
    await vi.advanceTimersByTimeAsync(300);
    expect(studio.argsOf('listEvaluations')).toHaveLength(2);
    expect(state.progress).toBeNull();
    stop();
    expect(studio.listeners()).toBe(0);
  });
});
