/**
 * Runs started, finished or deleted by another process (`dreamprm train` or `demo` in a
 * terminal) send this process no events: a cheap look at the runs table every few seconds
 * tells the open app to refresh its lists.
 */
import type { Db } from '../store/db';

const WATCH_MS = 2000;

/** Calls `onChange` whenever the set of runs or their statuses changes; returns the stop function. */
export function watchRuns(db: Db, onChange: () => void, everyMs = WATCH_MS): () => void {
  const stateOf = db.prepare(`SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(group_concat(id || status), '') FROM runs`).pluck();
  let last = '';
  const look = (): void => {
    let now: string;
    try {
      now = stateOf.get() as string;
    } catch {
      return; // closing: the next look will not come
    }
    if (last && now !== last) onChange();
    last = now;
  };
  look();
  const timer = setInterval(look, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
