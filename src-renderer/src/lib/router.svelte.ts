/** Hash routes, so the same build works from file:// (Electron) and from `dreamprm serve`. */
export type Route =
  | { page: 'data' }
  | { page: 'train' }
  | { page: 'runs' }
  | { page: 'run'; runId: number }
  | { page: 'explore'; runId: number }
  | { page: 'compare'; runIds: number[] }
  | { page: 'review'; evaluationId: number }
  | { page: 'annotations' }
  | { page: 'jobs' };

const positive = (s: string | undefined): number | null => {
  const n = Number(s);
  return s !== undefined && Number.isInteger(n) && n > 0 ? n : null;
};

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
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
      return id === null ? { page: 'runs' } : { page: 'review', evaluationId: id };
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
      return `#/evaluations/${route.evaluationId}/review`;
    case 'compare':
      return `#/compare/${route.runIds.join(',')}`;
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
}
