/**
 * The runs table's figures: what each run is (its role), its latest best-of-N average under the
 * default selection, and its difference from the compute-matched baseline — the vanilla PRM
 * continued from the same cold start for the same steps (issue 14: every reweighting gain is
 * measured against it, not against the cold start, which trained half as long).
 */
import { accuracyOf, DEFAULT_SELECTION, type EvaluationReport } from '../../../src-shared/evaluation';
import { learnsWeights, selectsData, type Method } from '../../../src-shared/training';
import type { Db } from '../store/db';
import { allRunTags } from './run-tags';
import type { RunRole } from '../../../src-shared/runs';
import type { RunOverview, RunResult } from './types';

/** The parts of a stored config the overview reads; older or hand-made configs may lack any. */
export interface ConfigView {
  method: Method;
  steps?: number;
  seed?: number;
  metaSource?: 'meta' | 'test';
  model?: { image?: boolean };
  coldStart?: { fromRun?: number | null };
}

interface RunRow {
  id: number;
  status: string;
  config: ConfigView;
}

const fromRunOf = (c: ConfigView): number | null => c.coldStart?.fromRun ?? null;

/** The run's role from its config; `isParent`: some run starts from it. */
export function roleOf(c: ConfigView, isParent: boolean): RunRole {
  if (c.metaSource === 'test') return 'upper-bound';
  if (c.model?.image === false) return 'ablation-text-only';
  if (selectsData(c.method)) return 'data-selection';
  if (learnsWeights(c.method)) return 'reweighting';
  if (fromRunOf(c) !== null) return 'vanilla-equal-compute';
  return isParent ? 'cold-start' : 'uniform';
}

/**
 * The compute-matched baseline of `run`: a completed uniform run with images, from the same
 * cold start, with the same steps; the same seed is preferred, then the newest.
 */
export function matchedBaseline(run: RunRow, runs: readonly RunRow[]): RunRow | null {
  const from = fromRunOf(run.config);
  if (from === null) return null;
  const matches = runs.filter(
    (b) =>
      b.id !== run.id &&
      b.status === 'completed' &&
      roleOf(b.config, false) === 'vanilla-equal-compute' &&
      fromRunOf(b.config) === from &&
      b.config.steps === run.config.steps,
  );
  if (!matches.length) return null;
  const sameSeed = matches.filter((b) => b.config.seed === run.config.seed);
  const pool = sameSeed.length ? sameSeed : matches;
  return pool.reduce((a, b) => (b.id > a.id ? b : a));
}

function resultOf(report: EvaluationReport): RunResult {
  const avg = report.average;
  return {
    evaluationId: report.evaluationId,
    agg: report.agg,
    selection: DEFAULT_SELECTION,
    bestOfN: accuracyOf(avg, DEFAULT_SELECTION, report.agg),
    majority: avg.selfConsistency,
    passAt1: avg.passAt1,
    oracle: avg.oracle,
  };
}

/** The newest evaluation of each run under each aggregation, newest first per run. */
function latestReports(db: Db): Map<number, EvaluationReport[]> {
  const rows = db
    .prepare(
      `SELECT id, report FROM evaluations
        WHERE id IN (SELECT max(id) FROM evaluations WHERE run_id IS NOT NULL GROUP BY run_id, agg) ORDER BY id DESC`,
    )
    .all() as { id: number; report: string }[];
  const out = new Map<number, EvaluationReport[]>();
  for (const r of rows) {
    const report = { evaluationId: r.id, ...(JSON.parse(r.report) as Omit<EvaluationReport, 'evaluationId'>) };
    if (report.runId === null) continue;
    out.set(report.runId, [...(out.get(report.runId) ?? []), report]);
  }
  return out;
}

function readRuns(db: Db): RunRow[] {
  return (db.prepare('SELECT id, status, config FROM runs ORDER BY id').all() as { id: number; status: string; config: string }[]).map(
    (r) => ({ id: r.id, status: r.status, config: JSON.parse(r.config) as ConfigView }),
  );
}

export function runsOverview(db: Db): RunOverview[] {
  const runs = readRuns(db);
  const reports = latestReports(db);
  const tags = allRunTags(db);
  const parents = new Set(runs.map((r) => fromRunOf(r.config)).filter((id): id is number => id !== null));
  return runs.map((run): RunOverview => {
    const latest = reports.get(run.id)?.[0];
    const result = latest ? resultOf(latest) : null;
    const base = matchedBaseline(run, runs);
    let baseline: RunOverview['baseline'] = null;
    if (base) {
      // Compared under the same aggregation: the baseline's newest evaluation with this run's.
      const baseReport = reports.get(base.id)?.find((e) => e.agg === (latest?.agg ?? e.agg));
      const bestOfN = baseReport ? resultOf(baseReport).bestOfN : null;
      const delta = result?.bestOfN != null && bestOfN != null ? Math.round((result.bestOfN - bestOfN) * 100) / 100 : null;
      baseline = { runId: base.id, bestOfN, delta };
    }
    return {
      runId: run.id,
      role: roleOf(run.config, parents.has(run.id)),
      coldStartFrom: fromRunOf(run.config),
      tags: tags.get(run.id) ?? [],
      result,
      baseline,
    };
  });
}
