/** The runs table's rows: sorting (missing figures last either way) and a filter over names, methods, roles and tags. */
import type { RunOverview, RunSummary } from '../../../src-main/core/api/types';
import { ROLE_BADGE } from './results';

export interface RunRow {
  run: RunSummary;
  overview: RunOverview | null;
}

export const RUN_SORTS = ['runId', 'name', 'method', 'status', 'bestOfN', 'delta', 'trainLoss', 'seconds'] as const;
export type RunSortKey = (typeof RUN_SORTS)[number];

function keyOf(r: RunRow, key: RunSortKey): number | string | null {
  switch (key) {
    case 'bestOfN':
      return r.overview?.result?.bestOfN ?? null;
    case 'delta':
      return r.overview?.baseline?.delta ?? null;
    case 'name':
      return r.run.name?.toLowerCase() ?? null;
    default:
      return r.run[key];
  }
}

/** Sorted by `key`; rows without the figure (not evaluated, no baseline) go last in both directions. */
export function sortRuns(rows: readonly RunRow[], key: RunSortKey, desc: boolean): RunRow[] {
  return [...rows].sort((a, b) => {
    const x = keyOf(a, key);
    const y = keyOf(b, key);
    if (x === null || y === null) return x === y ? a.run.runId - b.run.runId : x === null ? 1 : -1;
    const c = x < y ? -1 : x > y ? 1 : a.run.runId - b.run.runId;
    return desc ? -c : c;
  });
}

/** The words a row can be found by: "#id", name, method, status, role, tags. */
function words(r: RunRow): string {
  const role = r.overview ? ROLE_BADGE[r.overview.role]?.text ?? r.overview.role : '';
  return [`#${r.run.runId}`, r.run.name ?? '', r.run.method, r.run.status, role, ...(r.overview?.tags ?? [])].join(' ').toLowerCase();
}

/** Rows that contain every word of `text` (case-insensitive); all rows for an empty filter. */
export function filterRuns(rows: readonly RunRow[], text: string): RunRow[] {
  const want = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (!want.length) return [...rows];
  return rows.filter((r) => {
    const w = words(r);
    return want.every((x) => w.includes(x));
  });
}
