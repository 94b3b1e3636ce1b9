import type { Command } from 'commander';
import type { StudioApi } from '../core/api/studio-api';
import type { StudioService } from '../core/api/service';
import { AGGREGATIONS, isAggName, type AggName } from '../core/engine/aggregate';
import { parseRunId } from '../core/eval/run-eval';
import type { BenchmarkResult } from '../core/eval/results';
import { UserError } from '../core/errors';
import type { EvaluationDetail } from '../../src-shared/evaluation';
import { counterProgress, log, withCommon, withStudio, type CommonOptions } from './common';
import { BACKEND_HELP, parseBackend } from './train-command';

interface EvalCliOptions extends CommonOptions {
  run?: string;
  agg: string;
  backend?: string;
}

export function register(program: Command): void {
  withCommon(
    program
      .command('eval')
      .description('best-of-N evaluation of a run\'s PRM on the test pool: pass@1, majority vote, oracle, PRM-weighted vote and PRM argmax under each aggregation, per benchmark and per task, and accuracy against N')
      .requiredOption('--run <run>', 'the run whose PRM scores the candidates')
      .option('--agg <agg>', `aggregation reported first (${AGGREGATIONS.join(' | ')})`, 'logodds')
      .option('--backend <name>', BACKEND_HELP, 'auto'),
  ).action((opts: EvalCliOptions) =>
    withStudio(
      opts,
      (api, service) => {
        const runId = parseRunId(opts.run);
        if (!isAggName(opts.agg)) throw new UserError(`--agg must be one of ${AGGREGATIONS.join(', ')} (got "${opts.agg}")`);
        return evaluate(api, service, { runId, agg: opts.agg, backend: parseBackend(opts.backend) });
      },
      renderEvaluation,
    ),
  );
}

/** The API's evaluateRun (in the training worker), its eval-progress events drawn on stderr. */
async function evaluate(api: StudioApi, service: StudioService, req: Parameters<StudioApi['evaluateRun']>[0]): Promise<EvaluationDetail> {
  const run = await api.getRun({ runId: req.runId });
  if (run.status !== 'completed') {
    log(`run ${run.runId} is ${run.status}: evaluating its latest checkpoint (step ${run.lastCheckpointStep ?? '?'})`);
  }
  const progress = counterProgress('scoring candidates');
  const jobId = `cli-eval-${process.pid}`;
  const off = service.subscribe((e) => e.type === 'eval-progress' && e.jobId === jobId && progress.update(e.done, e.total));
  try {
    return await api.evaluateRun({ ...req, jobId });
  } finally {
    off();
    progress.done();
  }
}

const fmt = (x: number | null | undefined) => (x == null ? '—' : x.toFixed(1));

/** One table of every group (benchmarks, their average, tasks): each selection mode under the chosen aggregation. */
export function renderEvaluation(e: EvaluationDetail): string {
  const head = ['', 'questions', 'pass@1', 'majority', 'oracle', 'PRM vote', 'PRM argmax', 'step AUROC'];
  const row = (r: BenchmarkResult, name = r.benchmark) => [
    name,
    String(r.questions),
    fmt(r.passAt1),
    fmt(r.selfConsistency),
    fmt(r.oracle),
    fmt(r.weightedVote?.[e.agg]),
    fmt(r.bon[e.agg]),
    r.stepAuroc == null ? '—' : r.stepAuroc.toFixed(3),
  ];
  const body = [...e.benchmarks.map((r) => row(r)), row(e.average), ...(e.tasks ?? []).map((r) => row(r, `task ${r.benchmark}`))];
  const aggs: AggName[] = [e.agg, ...AGGREGATIONS.filter((a) => a !== e.agg)];
  const lines = [
    `evaluation ${e.evaluationId} of ${e.label} on ${e.backend ?? '?'}${e.device ? ` (${e.device})` : ''} (${e.seconds.toFixed(1)} s): best-of-N accuracy in %, ` +
      `${e.agg} aggregation; PRM vote (weighted vote) is the default selection`,
    table([head, ...body]),
    '',
    'average by aggregation:',
    table([['', ...aggs], ['PRM vote', ...aggs.map((a) => fmt(e.average.weightedVote?.[a]))], ['PRM argmax', ...aggs.map((a) => fmt(e.average.bon[a]))]]),
  ];
  const curve = e.average.byN;
  if (curve) {
    lines.push('', 'accuracy against the number of candidates N (average):');
    lines.push(
      table([
        ['N', ...curve.n.map(String)],
        ['majority', ...curve.majority.map(fmt)],
        ['PRM vote', ...curve.weightedVote.map(fmt)],
        ['PRM argmax', ...curve.argmax.map(fmt)],
        ['oracle', ...curve.oracle.map(fmt)],
      ]),
    );
  }
  if (e.truth) {
    lines.push('', `learned domain weights vs true quality (${e.truth.truthFile}): Spearman ${e.truth.spearman ?? '—'}`);
    lines.push(table([['domain', 'weight', 'quality'], ...e.truth.domains.map((d) => [d.domain, d.weight.toFixed(3), d.quality.toFixed(3)])]));
  }
  return lines.join('\n');
}

/** Left-aligned first column, right-aligned numbers. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}
