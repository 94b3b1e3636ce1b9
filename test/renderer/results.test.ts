/** The renderer's pure helpers for results: selection rows, zoomed axes, run sorting and filtering, time estimates, answer groups. */
import { describe, expect, it } from 'vitest';
import type { RunOverview, RunSummary } from '../../src-main/core/api/types';
import type { BenchmarkResult } from '../../src-shared/evaluation';
import { answerGroups, identicalCounts } from '../../src-renderer/src/lib/answer-groups';
import { estimateRun } from '../../src-renderer/src/lib/estimate';
import { bestModes, modeRow, signedPoints, zoomedRange } from '../../src-renderer/src/lib/results';
import { filterRuns, sortRuns, type RunRow } from '../../src-renderer/src/lib/runs-table';

const aggs = (x: number) => ({ mean: x, logodds: x + 1, min: x, max: x, prod: x, last: x });
const result = (over: Partial<BenchmarkResult> = {}): BenchmarkResult => ({
  benchmark: 'charts',
  questions: 10,
  candidates: 80,
  passAt1: 50,
  selfConsistency: 60,
  oracle: 90,
  bon: aggs(58),
  weightedVote: aggs(63),
  stepAuroc: 0.8,
  ...over,
});

describe('selection rows', () => {
  it('put PRM vote, argmax and majority side by side under one aggregation and mark the best', () => {
    const row = modeRow(result(), 'logodds');
    expect(row.modes).toEqual({ 'weighted-vote': 64, argmax: 59, majority: 60 });
    expect(bestModes(row)).toEqual(['weighted-vote']);
  });

  it('show no PRM vote for an evaluation stored before it existed', () => {
    const row = modeRow(result({ weightedVote: undefined }), 'mean');
    expect(row.modes['weighted-vote']).toBeNull();
    expect(bestModes(row)).toEqual(['majority']);
  });
});

describe('zoomed axes', () => {
  it('show a few points of difference on a narrow axis, on whole steps, within 0–100', () => {
    expect(zoomedRange([61.2, 63.5, 65.8])).toEqual({ min: 60, max: 70 });
    expect(zoomedRange([1, 2])).toEqual({ min: 0, max: 5 });
    expect(zoomedRange([99.5])).toEqual({ min: 95, max: 100 });
    expect(zoomedRange([])).toEqual({ min: 0, max: 100 });
  });

  it('write differences with their sign', () => {
    expect([signedPoints(2.44), signedPoints(-0.3), signedPoints(0.01), signedPoints(null)]).toEqual(['+2.4', '−0.3', '0.0', '—']);
  });
});

const summary = (runId: number, over: Partial<RunSummary> = {}): RunSummary => ({
  runId,
  name: null,
  method: 'domain',
  status: 'completed',
  step: 100,
  totalSteps: 100,
  backend: 'wasm',
  device: null,
  parityMaxAbsDiff: null,
  backendFallback: null,
  createdAt: '',
  startedAt: null,
  finishedAt: null,
  seconds: 50,
  error: null,
  trainLoss: null,
  metaLoss: null,
  ...over,
});
const overview = (runId: number, bestOfN: number | null, over: Partial<RunOverview> = {}): RunOverview => ({
  runId,
  role: 'reweighting',
  coldStartFrom: null,
  tags: [],
  result: bestOfN === null ? null : { evaluationId: runId, agg: 'logodds', selection: 'weighted-vote', bestOfN, majority: 60, passAt1: 50, oracle: 90 },
  baseline: null,
  ...over,
});

describe('the runs table', () => {
  const rows: RunRow[] = [
    { run: summary(1, { method: 'uniform', name: 'cold' }), overview: overview(1, 60, { role: 'cold-start' }) },
    { run: summary(2, { method: 'uniform' }), overview: overview(2, 64, { role: 'vanilla-equal-compute', tags: ['paper'] }) },
    { run: summary(3), overview: overview(3, null) },
    { run: summary(4), overview: overview(4, 66.5, { baseline: { runId: 2, bestOfN: 64, delta: 2.5 } }) },
  ];

  it('sorts by best-of-N either way with unevaluated runs last', () => {
    expect(sortRuns(rows, 'bestOfN', true).map((r) => r.run.runId)).toEqual([4, 2, 1, 3]);
    expect(sortRuns(rows, 'bestOfN', false).map((r) => r.run.runId)).toEqual([1, 2, 4, 3]);
    expect(sortRuns(rows, 'delta', true).map((r) => r.run.runId)).toEqual([4, 1, 2, 3]);
  });

  it('filters by every word over name, method, role and tags', () => {
    expect(filterRuns(rows, 'paper').map((r) => r.run.runId)).toEqual([2]);
    expect(filterRuns(rows, 'uniform vanilla').map((r) => r.run.runId)).toEqual([2]);
    expect(filterRuns(rows, 'COLD').map((r) => r.run.runId)).toEqual([1]);
    expect(filterRuns(rows, '#4').map((r) => r.run.runId)).toEqual([4]);
    expect(filterRuns(rows, '  ')).toHaveLength(4);
  });
});

describe('time estimates', () => {
  it('use the newest finished run of the method, else another method scaled, else none', () => {
    const runs = [summary(1, { method: 'uniform', seconds: 30, step: 1500 }), summary(2, { method: 'domain', seconds: 80, step: 2000 })];
    expect(estimateRun(runs, 'domain', 1000)).toEqual({ seconds: 40, fromRun: 2, scaled: false });
    expect(estimateRun(runs, 'instance-net', 1000)).toMatchObject({ fromRun: 2, scaled: true, seconds: expect.closeTo((40 * 1.5) / 1.3, 5) });
    expect(estimateRun([summary(3, { status: 'failed' })], 'domain', 1000)).toBeNull();
  });
});

describe('answer groups', () => {
  const cand = (answerKey: string, score: number, correct: boolean | null, text = 'x') => ({ answerKey, answer: answerKey.toUpperCase(), correct, score, steps: [{ text }] });

  it('count what majority vote sees and sum what PRM vote sees, each marking its pick', () => {
    const groups = answerGroups([cand('a', 0.2, false), cand('a', 0.2, false), cand('a', 0.1, false), cand('b', 0.9, true), cand('b', 0.8, true), cand('', 0.99, false)]);
    expect(groups.map((g) => [g.key, g.members, g.majority, g.vote])).toEqual([
      ['a', [0, 1, 2], true, false],
      ['b', [3, 4], false, true],
      ['', [5], false, false],
    ]);
    expect(groups[1].scoreSum).toBeCloseTo(1.7);
  });

  it('count word-for-word identical candidates', () => {
    expect(identicalCounts([cand('a', 0, null, 'same'), cand('a', 0, null, 'same'), cand('a', 0, null, 'other')])).toEqual([2, 2, 1]);
  });
});
