/** ExplorerState: building the table, filters and sort, pages loaded on demand, the side panel and its scores. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExplorerInfo, InstancePage, InstanceQuery, InstanceRow } from '../../src-main/core/api/types';
import { ExplorerState, PAGE_SIZE } from '../../src-renderer/src/lib/explorer-state.svelte';
import { deferred, failing, fakeStudio, settle, type FakeApi } from './fake-studio';
import { cot, question } from './fixtures';

afterEach(() => vi.useRealTimers());

const TOTAL = 250;

const explorerInfo = (over: Partial<ExplorerInfo> = {}): ExplorerInfo => ({
  runId: 3,
  step: 200,
  firstStep: 0,
  instances: TOTAL,
  domains: ['charts', 'maps'],
  builtAt: '2025-01-01',
  buildSeconds: 2,
  stale: false,
  lossesStep: null,
  ...over,
});

const row = (idx: number): InstanceRow => ({
  idx,
  cotId: 1000 + idx,
  questionId: idx,
  questionExtId: `q${idx}`,
  questionText: '',
  domain: 'charts',
  weight: 1,
  weight0: 1,
  change: 0,
  loss: null,
  meanLabel: null,
  steps: 3,
});

/** Pages of TOTAL rows, numbered by position, as the query asks. */
function pageOf(query: Partial<InstanceQuery>, withTotal = false): InstancePage {
  const offset = query.offset ?? 0;
  const n = Math.max(0, Math.min(query.limit ?? PAGE_SIZE, TOTAL - offset));
  return { rows: Array.from({ length: n }, (_, i) => row(offset + i)), total: withTotal ? TOTAL : null, searchTruncated: false };
}

function explorerApi(extra: FakeApi = {}): FakeApi {
  return {
    explorerInfo: async () => explorerInfo(),
    explorerPage: async ({ query, withTotal }) => pageOf(query, withTotal),
    explorerHistograms: async () => ({ step: 200, edges: [0, 1, 2], domains: [] }),
    getInstance: async ({ idx }) => ({ row: row(idx), question: question(idx), cot: cot(1000 + idx), trajectory: [] }),
    scoreCot: async ({ runId, cotId }) => ({ runId, cotId, step: 200, scores: [0.9, 0.2] }),
    ...extra,
  };
}

async function opened(extra: FakeApi = {}) {
  const studio = fakeStudio(explorerApi(extra));
  const state = new ExplorerState(studio.app, 3);
  await state.open(false);
  await settle();
  return { studio, state };
}

describe('ExplorerState', () => {
  it('opens on the first page with the row count, sorted by weight high to low, with the histograms', async () => {
    const { studio, state } = await opened();
    expect(state.info?.instances).toBe(TOTAL);
    expect(studio.argsOf('explorerPage')).toEqual([
      { runId: 3, query: { sort: 'weight', desc: true, domain: null, minWeight: null, maxWeight: null, search: null, offset: 0, limit: PAGE_SIZE }, withTotal: true },
    ]);
    expect(state.total).toBe(TOTAL);
    expect(state.rowAt(99)?.idx).toBe(99);
    expect(state.rowAt(100)).toBeUndefined();
    expect(studio.argsOf('explorerHistograms')).toEqual([{ runId: 3, bins: 24 }]);
    expect(state.histograms?.edges).toEqual([0, 1, 2]);
  });

  it('keeps a failed build in its failed field and asks for no page', async () => {
    const { studio, state } = await opened({ explorerInfo: failing('WorkerError', 'no snapshots') });
    expect(state.failed).toBe('no snapshots');
    expect(state.building).toBeNull();
    expect(studio.argsOf('explorerPage')).toEqual([]);
  });

  it('loads the pages the table needs once each, without the count', async () => {
    const { studio, state } = await opened();
    state.need([0, 1, 2]);
    state.need([2]);
    await settle();
    expect(studio.argsOf('explorerPage').slice(1)).toEqual([
      expect.objectContaining({ query: expect.objectContaining({ offset: 100 }), withTotal: false }),
      expect.objectContaining({ query: expect.objectContaining({ offset: 200 }), withTotal: false }),
    ]);
    expect(state.rowAt(249)?.idx).toBe(249);
  });

  it('drops loaded pages and scrolls to the top when a filter changes, and sends the filter', async () => {
    const { studio, state } = await opened();
    const version = state.version;
    state.select(5, 0);
    state.set({ domain: 'maps', minWeight: 0.5 });
    expect(state.pages).toEqual({});
    expect(state.selected).toBeNull();
    expect(state.version).toBe(version + 1);
    await settle();
    expect(studio.argsOf('explorerPage').at(-1)).toMatchObject({ query: { domain: 'maps', minWeight: 0.5, offset: 0 }, withTotal: true });
  });

  it('flips the direction on a second click of the sorted column; a new column starts high to low, the index low to high', async () => {
    const { state } = await opened();
    state.sortBy('weight');
    expect([state.filters.sort, state.filters.desc]).toEqual(['weight', false]);
    state.sortBy('loss');
    expect([state.filters.sort, state.filters.desc]).toEqual(['loss', true]);
    state.sortBy('idx');
    expect([state.filters.sort, state.filters.desc]).toEqual(['idx', false]);
  });

  it('ignores a page that arrives after the filters changed', async () => {
    const late = deferred<InstancePage>();
    let first = true;
    const { state } = await opened({
      explorerPage: ({ query, withTotal }) => {
        if (query.offset === 100 && first) {
          first = false;
          return late.promise;
        }
        return Promise.resolve(pageOf(query, withTotal));
      },
    });
    state.need([1]);
    state.set({ search: 'q1' });
    await settle();
    late.resolve({ rows: [row(-1)], total: 1, searchTruncated: true });
    await settle();
    expect(state.pages[1]).toBeUndefined();
    expect(state.total).toBe(TOTAL);
    expect(state.searchTruncated).toBe(false);
  });

  it('shows a failed page as a notice', async () => {
    const { studio } = await opened({ explorerPage: failing('Busy', 'locked') });
    expect(studio.notices()).toEqual(['error: Loading instances: locked']);
  });

  it('opens the selected row once the selection rests, then scores it', async () => {
    vi.useFakeTimers();
    const { studio, state } = await opened();
    state.select(4);
    state.select(5);
    expect(state.selected).toBe(5);
    await vi.advanceTimersByTimeAsync(120);
    expect(studio.argsOf('getInstance')).toEqual([{ runId: 3, idx: 5 }]);
    expect(state.detail?.row.idx).toBe(5);
    expect(state.scores?.scores).toEqual([0.9, 0.2]);
    expect(state.scoring).toBe(false);
  });

  it('keeps the selection within the rows, and empties the panel on close', async () => {
    const { state } = await opened();
    state.select(TOTAL + 10, 0);
    expect(state.selected).toBe(TOTAL - 1);
    state.select(-3, 0);
    expect(state.selected).toBe(0);
    await settle();
    expect(state.detail?.row.idx).toBe(0);
    state.close();
    expect([state.selected, state.detail, state.scores]).toEqual([null, null, null]);
  });

  it('keeps a scoring failure in its scoreError field', async () => {
    const { state } = await opened({ scoreCot: failing('WorkerError', 'no checkpoint') });
    state.select(2, 0);
    await settle();
    expect(state.detail?.row.idx).toBe(2);
    expect(state.scoreError).toBe('no checkpoint');
    expect(state.scores).toBeNull();
  });

  it('puts a CoT’s new labels into the panel and its rows as the mean label', async () => {
    const { state } = await opened();
    state.select(7, 0);
    await settle();
    state.updateCot(cot(1007, [{ mc: 0.5 }, { mc: 0.5, human: 1 }, { mc: null }]));
    expect(state.detail?.row.meanLabel).toBe(0.75);
    expect(state.rowAt(7)?.meanLabel).toBe(0.75);
    state.updateCot(cot(9999, [{ human: 0 }]));
    expect(state.detail?.cot.cotId).toBe(1007);
  });

  it('shows build and loss progress of its own run only', async () => {
    const studio = fakeStudio(explorerApi());
    const state = new ExplorerState(studio.app, 3);
    const stop = state.start();
    studio.emit({ type: 'explore-progress', runId: 3, phase: 'rows', done: 10, total: 250 });
    studio.emit({ type: 'explore-progress', runId: 3, phase: 'losses', done: 5, total: 250 });
    studio.emit({ type: 'explore-progress', runId: 4, phase: 'indexes', done: 1, total: 2 });
    expect(state.building).toEqual({ phase: 'rows', done: 10, total: 250 });
    expect(state.losses).toEqual({ done: 5, total: 250 });
    await settle();
    expect(state.building).toBeNull();
    stop();
  });

  it('reloads the table and the open instance’s row after computing losses', async () => {
    const { studio, state } = await opened({ computeLosses: async () => explorerInfo({ lossesStep: 200 }) });
    state.select(3, 0);
    await settle();
    await state.computeLosses();
    expect(state.losses).toBeNull();
    expect(state.info?.lossesStep).toBe(200);
    expect(state.selected).toBeNull();
    expect(studio.argsOf('getInstance')).toEqual([{ runId: 3, idx: 3 }, { runId: 3, idx: 3 }]);
    expect(state.detail?.row.idx).toBe(3);
  });
});
