/** The review's place in the address, and the Router following and rewriting the hash. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { href, parseRoute, Router, type Route } from '../../src-renderer/src/lib/router.svelte';

afterEach(() => vi.unstubAllGlobals());

describe('review routes', () => {
  it('round-trip every part of the place through the hash', () => {
    const route: Route = {
      page: 'review',
      evaluationId: 7,
      place: { q: 31, filter: 'disagree', other: 9, benchmark: 'charts', task: 'bar chart', group: true },
    };
    expect(href(route)).toBe('#/evaluations/7/review?q=31&filter=disagree&other=9&benchmark=charts&task=bar+chart&group=1');
    expect(parseRoute(href(route))).toEqual(route);
  });

  it('leave the default filter and an empty place out of the address', () => {
    expect(href({ page: 'review', evaluationId: 3, place: { filter: 'all' } })).toBe('#/evaluations/3/review');
  });

  it('drop unknown filters, bad ids and a group flag other than 1', () => {
    expect(parseRoute('#/evaluations/3/review?q=-2&filter=bogus&other=x&group=yes')).toEqual({
      page: 'review',
      evaluationId: 3,
      place: {},
    });
    expect(parseRoute('#/evaluations/zero/review')).toEqual({ page: 'runs' });
  });

  it('round-trip the explorer, a domain, annotations and jobs', () => {
    const routes: Route[] = [{ page: 'explore', runId: 4 }, { page: 'domain', domainId: 2 }, { page: 'annotations' }, { page: 'jobs' }];
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
    expect(parseRoute('#/data/domains/0')).toEqual({ page: 'data' });
  });
});

/** A window with a hash, hashchange events and a history that records replaceState. */
function fakeWindow(hash: string) {
  const target = new EventTarget();
  const win = {
    location: {
      get hash() {
        return hash;
      },
      set hash(h: string) {
        hash = h.startsWith('#') ? h : `#${h}`;
      },
      get href() {
        return `http://localhost:5173/${hash}`;
      },
    },
    history: { state: { n: 1 }, replaceState: vi.fn() },
    addEventListener: target.addEventListener.bind(target),
    fireHashChange: () => target.dispatchEvent(new Event('hashchange')),
  };
  vi.stubGlobal('window', win);
  return win;
}

describe('Router', () => {
  it('starts on the route of the current hash', () => {
    fakeWindow('#/runs/12');
    expect(new Router().route).toEqual({ page: 'run', runId: 12 });
  });

  it('goes to a route by setting the hash, and follows the hash when it changes', () => {
    const win = fakeWindow('');
    const router = new Router();
    expect(router.route).toEqual({ page: 'data' });
    router.go({ page: 'compare', runIds: [1, 3] });
    expect(win.location.hash).toBe('#/compare/1,3');
    win.fireHashChange();
    expect(router.route).toEqual({ page: 'compare', runIds: [1, 3] });
  });

  it('replaces the address without a history entry and takes the route at once', () => {
    const win = fakeWindow('#/evaluations/5/review');
    const router = new Router();
    const route: Route = { page: 'review', evaluationId: 5, place: { q: 8 } };
    router.replace(route);
    expect(router.route).toEqual(route);
    expect(win.history.replaceState).toHaveBeenCalledTimes(1);
    const [state, , url] = win.history.replaceState.mock.calls[0] as [unknown, string, URL];
    expect(state).toEqual({ n: 1 });
    expect(url.hash).toBe('#/evaluations/5/review?q=8');
  });
});
