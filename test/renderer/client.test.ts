import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ApiMethod, ArgsOf, StudioClient, Transport } from '../../src-main/core/api/types';
import { API_METHODS } from '../../src-main/core/api/types';
import { ApiCallError, createClient } from '../../src-renderer/src/lib/api-client';
import { href, parseRoute, type Route } from '../../src-renderer/src/lib/router.svelte';
import { digitsFor, smooth } from '../../src-renderer/src/lib/series';
import { MAX_SCROLL_PX, pagesFor, scrollTopFor, virtualWindow } from '../../src-renderer/src/lib/virtual';

/** A transport that answers from a table and records what it was asked. */
function tableTransport(answers: Partial<Record<ApiMethod, unknown>>): Transport & { calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  return {
    calls,
    async invoke(method, args) {
      calls.push([method, args]);
      if (method in answers) return { ok: true, value: answers[method] } as never;
      return { ok: false, error: { name: 'NotFound', message: `no ${method}` } } as never;
    },
    onEvent: () => () => {},
  };
}

describe('the typed client', () => {
  it('sends (method, args) and unwraps values', async () => {
    const t = tableTransport({ listRuns: [], renameDomain: { id: 3, name: 'x' } });
    const client = createClient(t);
    expect(await client.listRuns()).toEqual([]);
    expect(await client.renameDomain({ domainId: 3, name: 'x' })).toEqual({ id: 3, name: 'x' });
    expect(t.calls).toEqual([
      ['listRuns', undefined],
      ['renameDomain', { domainId: 3, name: 'x' }],
    ]);
  });

  it('rethrows failures as errors carrying the name and message', async () => {
    const client = createClient(tableTransport({}));
    const err = await client.getRun({ runId: 9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect(err).toMatchObject({ name: 'NotFound', message: 'no getRun', method: 'getRun' });
  });

  it('derives its methods from the API interface', () => {
    expectTypeOf<keyof StudioClient>().toEqualTypeOf<ApiMethod>();
    expectTypeOf<ArgsOf<'renameDomain'>>().toEqualTypeOf<[req: { domainId: number; name: string }]>();
    expectTypeOf<StudioClient['getRun']>().returns.resolves.toHaveProperty('domainWeights');
    // @ts-expect-error a method that is not in the API does not exist on the client
    expectTypeOf<StudioClient['deleteEverything']>().toBeNever();
    expect(new Set(API_METHODS).size).toBe(API_METHODS.length);
  });
});

describe('routes', () => {
  it('round-trip through the hash', () => {
    const routes: Route[] = [
      { page: 'data' },
      { page: 'train' },
      { page: 'runs' },
      { page: 'run', runId: 12 },
      { page: 'compare', runIds: [1, 2, 5] },
    ];
    for (const r of routes) {
      expect(parseRoute(href(r))).toEqual(r);
    }
  });

  it('fall back to a sensible page for junk', () => {
    expect(parseRoute('')).toEqual({ page: 'data' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'data' });
    expect(parseRoute('#/runs/abc')).toEqual({ page: 'runs' });
    expect(parseRoute('#/runs/-3')).toEqual({ page: 'runs' });
    expect(parseRoute('#/compare/1,x,,4')).toEqual({ page: 'compare', runIds: [1, 4] });
  });
});

describe('series helpers', () => {
  it('smooth without pulling the start towards zero', () => {
    const s = smooth([{ x: 1, y: 10 }, { x: 2, y: 10 }, { x: 3, y: 0 }], 0.5);
    expect(s[0]).toEqual({ x: 1, y: 10 });
    expect(s[1].y).toBeCloseTo(10);
    expect(s[2].y).toBeGreaterThan(0);
    expect(s[2].y).toBeLessThan(10);
    expect(smooth([{ x: 1, y: 3 }], 0)).toEqual([{ x: 1, y: 3 }]);
  });

  it('pick enough digits to tell bins apart', () => {
    expect(digitsFor(0.5)).toBe(2);
    expect(digitsFor(0.003)).toBe(4);
    expect(digitsFor(0)).toBe(2);
  });
});

describe('pages added for looking inside runs', () => {
  it('route the explorer, the review and the annotations', () => {
    const routes: Route[] = [
      { page: 'explore', runId: 4 },
      { page: 'review', evaluationId: 7, place: {} },
      { page: 'annotations' },
      { page: 'domain', domainId: 3 },
    ];
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
    expect(parseRoute('#/runs/4/explore')).toEqual({ page: 'explore', runId: 4 });
    expect(parseRoute('#/evaluations/x/review')).toEqual({ page: 'runs' });
  });

  it('keep the review\'s place (question, filter, compared evaluation, benchmark, task, grouping) in the address', () => {
    const place = { q: 42, filter: 'wrong-choice', other: 3, benchmark: 'Chart QA', task: 'bars & lines', group: true } as const;
    const route: Route = { page: 'review', evaluationId: 7, place };
    expect(href(route)).toBe('#/evaluations/7/review?q=42&filter=wrong-choice&other=3&benchmark=Chart+QA&task=bars+%26+lines&group=1');
    expect(parseRoute(href(route))).toEqual(route);
    // Junk in the query is dropped, not obeyed.
    expect(parseRoute('#/evaluations/7/review?q=-1&filter=everything&other=x')).toEqual({ page: 'review', evaluationId: 7, place: {} });
  });
});

describe('the virtual window', () => {
  it('draws the visible rows of a short list exactly', () => {
    const w = virtualWindow(1000, 28, 280, 28 * 100, 0);
    expect(w).toEqual({ spacerHeight: 28_000, first: 100, count: 11, firstTop: 2800 });
    expect(virtualWindow(0, 28, 280, 0)).toMatchObject({ count: 0 });
  });

  it('scales a million rows into a scroll space browsers allow, reaching both ends', () => {
    const rows = 1_000_000;
    const start = virtualWindow(rows, 28, 560, 0, 0);
    expect(start.spacerHeight).toBe(MAX_SCROLL_PX);
    expect(start.first).toBe(0);
    const end = virtualWindow(rows, 28, 560, MAX_SCROLL_PX - 560, 0);
    expect(end.first + end.count).toBe(rows);
    // The last row's bottom sits at the viewport's bottom.
    expect(end.firstTop + end.count * 28).toBeCloseTo(MAX_SCROLL_PX, 6);
    const mid = virtualWindow(rows, 28, 560, (MAX_SCROLL_PX - 560) / 2, 0);
    expect(Math.abs(mid.first - rows / 2)).toBeLessThan(20);
  });

  it('scrolls a row into view and back, at any scale', () => {
    for (const rows of [500, 1_000_000]) {
      const top = scrollTopFor(rows, 28, 560, rows - 1, 0);
      const w = virtualWindow(rows, 28, 560, top, 0);
      expect(w.first + w.count - 1).toBe(rows - 1);
      const back = scrollTopFor(rows, 28, 560, 3, top);
      expect(virtualWindow(rows, 28, 560, back, 0).first).toBe(3);
      expect(scrollTopFor(rows, 28, 560, 4, back)).toBe(back);
    }
  });

  it('lists the pages a window needs', () => {
    expect(pagesFor(95, 12, 100)).toEqual([0, 1]);
    expect(pagesFor(0, 0, 100)).toEqual([]);
  });
});
