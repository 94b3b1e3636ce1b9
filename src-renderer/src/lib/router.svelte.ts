import type { ReviewFilter } from '../../../src-main/core/api/types';
import { REVIEW_FILTERS } from '../../../src-main/core/api/types';

/** Where the review of an evaluation is: kept in the address, so a reload or a shared link returns there. */
export interface ReviewPlace {
  /** the question shown (its store id) */
  q?: number;
  filter?: ReviewFilter;
  /** the evaluation compared with */
  other?: number;
  benchmark?: string;
  task?: string;
  /** candidates grouped by final answer */
  group?: boolean;
}

/** Hash routes, so the same build works from file:// (Electron) and from `dreamprm serve`. */
export type Route =
  | { page: 'data' }
  | { page: 'domain'; domainId: number }
  | { page: 'train' }
  | { page: 'runs' }
  | { page: 'run'; runId: number }
  | { page: 'explore'; runId: number }
  | { page: 'compare'; runIds: number[] }
  | { page: 'review'; evaluationId: number; place: ReviewPlace }
  | { page: 'annotations' }
  | { page: 'jobs' };

const positive = (s: string | undefined | null): number | null => {
  const n = Number(s);
  return s != null && s !== '' && Number.isInteger(n) && n > 0 ? n : null;
};

function parsePlace(query: URLSearchParams): ReviewPlace {
  const place: ReviewPlace = {};
  const q = positive(query.get('q'));
  if (q !== null) place.q = q;
  const filter = query.get('filter');
  if (filter && (REVIEW_FILTERS as readonly string[]).includes(filter)) place.filter = filter as ReviewFilter;
  const other = positive(query.get('other'));
  if (other !== null) place.other = other;
  for (const key of ['benchmark', 'task'] as const) {
    const v = query.get(key);
    if (v) place[key] = v;
  }
  if (query.get('group') === '1') place.group = true;
  return place;
}

function placeQuery(place: ReviewPlace): string {
  const query = new URLSearchParams();
  if (place.q !== undefined) query.set('q', String(place.q));
  if (place.filter && place.filter !== 'all') query.set('filter', place.filter);
  if (place.other !== undefined) query.set('other', String(place.other));
  if (place.benchmark) query.set('benchmark', place.benchmark);
  if (place.task) query.set('task', place.task);
  if (place.group) query.set('group', '1');
  const s = query.toString();
  return s ? `?${s}` : '';
}

export function parseRoute(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'train':
      return { page: 'train' };
    case 'runs': {
      const id = positive(parts[1]);
      if (id === null) return { page: 'runs' };
      return parts[2] === 'explore' ? { page: 'explore', runId: id } : { page: 'run', runId: id };
    }
    case 'evaluations': {
      const id = positive(parts[1]);
      return id === null ? { page: 'runs' } : { page: 'review', evaluationId: id, place: parsePlace(new URLSearchParams(search)) };
    }
    case 'annotations':
      return { page: 'annotations' };
    case 'jobs':
      return { page: 'jobs' };
    case 'compare': {
      const ids = (parts[1] ?? '')
        .split(',')
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0);
      return { page: 'compare', runIds: ids };
    }
    case 'data': {
      const id = parts[1] === 'domains' ? positive(parts[2]) : null;
      return id === null ? { page: 'data' } : { page: 'domain', domainId: id };
    }
    default:
      return { page: 'data' };
  }
}

export function href(route: Route): string {
  switch (route.page) {
    case 'run':
      return `#/runs/${route.runId}`;
    case 'explore':
      return `#/runs/${route.runId}/explore`;
    case 'review':
      return `#/evaluations/${route.evaluationId}/review${placeQuery(route.place)}`;
    case 'compare':
      return `#/compare/${route.runIds.join(',')}`;
    case 'domain':
      return `#/data/domains/${route.domainId}`;
    default:
      return `#/${route.page}`;
  }
}

export class Router {
  route = $state<Route>(parseRoute(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.route = parseRoute(window.location.hash);
    });
  }

  go(route: Route): void {
    window.location.hash = href(route);
  }

  /** Rewrites the address without a new history entry (the review's place as it moves). */
  replace(route: Route): void {
    const url = new URL(window.location.href);
    url.hash = href(route);
    window.history.replaceState(window.history.state, '', url);
    this.route = route;
  }
}
