/** How long a new run will take, from the pace of runs this machine has finished. */
import type { Method, RunSummary } from '../../../src-main/core/api/types';

/** Per-step cost relative to uniform (`dreamprm bench`, unroll 1–5): a rough guide when no run of the method exists yet. */
const RELATIVE_COST: Record<Method, number> = {
  uniform: 1,
  s1: 1,
  car: 1,
  domain: 1.3,
  'instance-table': 1.4,
  'instance-net': 1.5,
};

export interface Estimate {
  seconds: number;
  /** the run whose pace it is based on */
  fromRun: number;
  /** the pace is another method's, scaled */
  scaled: boolean;
}

/** Seconds for `steps` steps of `method`: the newest finished run of the method, else of any method scaled; null without one. */
export function estimateRun(runs: readonly RunSummary[], method: Method, steps: number): Estimate | null {
  const done = runs.filter((r) => r.status === 'completed' && r.step > 0 && r.seconds > 0).sort((a, b) => b.runId - a.runId);
  const same = done.find((r) => r.method === method);
  const base = same ?? done[0];
  if (!base || !(steps > 0)) return null;
  const perStep = base.seconds / base.step;
  const scale = same ? 1 : RELATIVE_COST[method] / (RELATIVE_COST[base.method] ?? 1);
  return { seconds: perStep * steps * scale, fromRun: base.runId, scaled: !same };
}
