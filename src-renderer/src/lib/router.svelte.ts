/** Hash routes, so the same build works from file:// (Electron) and from `dreamprm serve`. */
export type Route =
  | { page: 'data' }
  | { page: 'train' }
  | { page: 'runs' }
  | { page: 'run'; runId: number }
  | { page: 'compare'; runIds: number[] };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'train':
      return { page: 'train' };
    case 'runs': {
      const id = Number(parts[1]);
      return Number.isInteger(id) && id > 0 ? { page: 'run', runId: id } : { page: 'runs' };
    }
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
