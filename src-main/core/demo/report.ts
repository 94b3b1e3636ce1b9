import type { AggName } from '../engine/aggregate';
import type { EvaluationReport } from '../eval/evaluate';
import { accuracyOf, type BenchmarkResult } from '../eval/results';
import { SELECTION_MODES, type SelectionMode } from '../eval/selection';
import { DEMO_RUNS, REWEIGHTED_RUNS, type DemoRunKey } from './runs';

/** The demo's figures, built from the runs' stored evaluations. */
export interface DemoTables {
  selection: SelectionMode;
  agg: AggName;
  groups: { benchmarks: string[]; tasks: string[] };
  /** group ('average', a benchmark or a task) → column (pass@1, majority, oracle, a run) → % */
  table: Record<string, Record<string, number>>;
  /** run → selection mode → average accuracy (%) */
  modes: Record<DemoRunKey, Record<SelectionMode, number>>;
  /** run → group → step-level AUROC */
  auroc: Record<DemoRunKey, Record<string, number | null>>;
  /** average accuracy against the number of candidates: majority vote, oracle and every run */
  byN: { n: number[]; curves: Record<string, number[]> };
  /** reweighting run → average gain (points) over uniform-continued, the vanilla PRM at equal compute */
  gains: Record<string, number>;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function demoTables(evals: Record<DemoRunKey, EvaluationReport>, selection: SelectionMode, agg: AggName): DemoTables {
  const first = evals.uniform;
  const benchmarks = first.benchmarks.map((b) => b.benchmark);
  const tasks = (first.tasks ?? []).map((b) => b.benchmark);
  const groupOf = (e: EvaluationReport, g: string): BenchmarkResult | undefined =>
    g === 'average' ? e.average : [...e.benchmarks, ...(e.tasks ?? [])].find((b) => b.benchmark === g);
  const table: DemoTables['table'] = {};
  for (const g of ['average', ...benchmarks, ...tasks]) {
    const base = groupOf(first, g)!;
    const row: Record<string, number> = { 'pass@1': base.passAt1, majority: base.selfConsistency, oracle: base.oracle };
    for (const k of DEMO_RUNS) row[k] = accuracyOf(groupOf(evals[k], g)!, selection, agg) ?? NaN;
    table[g] = row;
  }
  const modes = {} as DemoTables['modes'];
  const auroc = {} as DemoTables['auroc'];
  for (const k of DEMO_RUNS) {
    modes[k] = Object.fromEntries(SELECTION_MODES.map((m) => [m, accuracyOf(evals[k].average, m, agg) ?? NaN])) as Record<SelectionMode, number>;
    auroc[k] = Object.fromEntries(['average', ...benchmarks, ...tasks].map((g) => [g, groupOf(evals[k], g)?.stepAuroc ?? null]));
  }
  const curveOf = (k: DemoRunKey) => {
    const c = evals[k].average.byN!;
    return selection === 'argmax' ? c.argmax : selection === 'majority' ? c.majority : c.weightedVote;
  };
  const base = first.average.byN!;
  const curves: Record<string, number[]> = { majority: base.majority, oracle: base.oracle };
  for (const k of DEMO_RUNS) curves[k] = curveOf(k);
  const gains = Object.fromEntries(REWEIGHTED_RUNS.map((k) => [k, round1(table.average[k] - table.average['uniform-continued'])]));
  return { selection, agg, groups: { benchmarks, tasks }, table, modes, auroc, byN: { n: base.n, curves }, gains };
}
