import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ApiMethod, ArgsOf, StudioClient, Transport } from '../../src-main/core/api/types';
import { API_METHODS } from '../../src-main/core/api/types';
import { ApiCallError, createClient } from '../../src-renderer/src/lib/api-client';
import { href, parseRoute, type Route } from '../../src-renderer/src/lib/router.svelte';
import { digitsFor, smooth } from '../../src-renderer/src/lib/series';

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
