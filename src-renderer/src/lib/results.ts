/**
 * Evaluation figures as the app shows them: the selection modes side by side (PRM vote first,
 * the default), what each run is, and chart axes zoomed to where the differences are.
 */
import type { RunRole } from '../../../src-main/core/api/types';
import {
  accuracyOf,
  DEFAULT_SELECTION,
  type AggName,
  type BenchmarkResult,
  type SelectionMode,
} from '../../../src-shared/evaluation';

/** The selection modes in the order tables show them, the default first. */
export const MODE_ORDER: readonly SelectionMode[] = [DEFAULT_SELECTION, 'argmax', 'majority'];

export const MODE_LABEL: Record<SelectionMode, string> = {
  'weighted-vote': 'PRM vote',
  argmax: 'PRM argmax',
  majority: 'Majority vote',
};

export const MODE_HELP: Record<SelectionMode, string> = {
  'weighted-vote': 'the answer whose candidates’ PRM scores sum highest (the default)',
  argmax: 'the single candidate the PRM scores highest (the papers’ best-of-N)',
  majority: 'the most frequent final answer (self-consistency); the PRM plays no part',
};

/** One group's figures in display order: pass@1, the three modes, oracle; null where not recorded. */
export interface ModeRow {
  name: string;
  questions: number;
  passAt1: number;
  modes: Record<SelectionMode, number | null>;
  oracle: number;
  stepAuroc: number | null;
}

export function modeRow(r: BenchmarkResult, agg: AggName): ModeRow {
  const modes = Object.fromEntries(MODE_ORDER.map((m) => [m, accuracyOf(r, m, agg)])) as Record<SelectionMode, number | null>;
  return { name: r.benchmark, questions: r.questions, passAt1: r.passAt1, modes, oracle: r.oracle, stepAuroc: r.stepAuroc };
}

/** The best of a row's selection modes (ties all count), for bold type. */
export function bestModes(row: ModeRow): SelectionMode[] {
  const vals = MODE_ORDER.map((m) => row.modes[m]).filter((v): v is number => v !== null);
  if (!vals.length) return [];
  const top = Math.max(...vals);
  return MODE_ORDER.filter((m) => row.modes[m] === top);
}

/**
 * A y range that shows differences of a point or two: from a little below the smallest value
 * to a little above the largest, on whole multiples of `step`, never outside 0–100.
 */
export function zoomedRange(values: readonly number[], step = 5): { min: number; max: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return { min: 0, max: 100 };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = Math.max(1, (hi - lo) * 0.15);
  const min = Math.max(0, Math.floor((lo - pad) / step) * step);
  const max = Math.min(100, Math.ceil((hi + pad) / step) * step);
  return max > min ? { min, max } : { min: Math.max(0, min - step), max: Math.min(100, max + step) };
}

/** A signed difference in points: "+2.4", "−0.3", "0.0"; "—" when unknown. */
export function signedPoints(d: number | null | undefined, digits = 1): string {
  if (d == null || !Number.isFinite(d)) return '—';
  const s = Math.abs(d).toFixed(digits);
  if (Number(s) === 0) return (0).toFixed(digits);
  return d > 0 ? `+${s}` : `−${s}`;
}

/** How each role is marked wherever runs are listed. */
export const ROLE_BADGE: Record<RunRole, { text: string; title: string } | null> = {
  uniform: null,
  'cold-start': { text: 'cold start', title: 'a uniform run other runs start from' },
  'vanilla-equal-compute': {
    text: 'vanilla at equal compute',
    title: 'uniform, continued from a cold start: the compute-matched baseline every reweighting gain is measured against',
  },
  reweighting: null,
  'data-selection': { text: 'data-selection baseline', title: 's1 / CaR: data selected by a heuristic, then trained uniformly' },
  'ablation-text-only': { text: 'ablation: text only', title: 'the PRM does not see the image' },
  'upper-bound': {
    text: 'upper bound',
    title: 'sanity check: weights learnt on the test pool itself; an upper bound, never a result',
  },
};
