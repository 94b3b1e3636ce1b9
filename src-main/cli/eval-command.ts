import type { Command } from 'commander';
import { AGGREGATIONS, isAggName, type AggName } from '../core/engine/aggregate';
import { evaluateRun, parseRunId, type RunEvaluation } from '../core/eval/run-eval';
import type { BenchmarkResult } from '../core/eval/evaluate';
import { UserError } from '../core/errors';
import { log, runAction, withCommon, type CommonOptions } from './common';
import { parseBackend } from './train-command';

interface EvalCliOptions extends CommonOptions {
  run?: string;
  agg: string;
  backend?: string;
}

export function register(program: Command): void {
  withCommon(
    program
      .command('eval')
      .description('best-of-N evaluation of a run\'s PRM on the test pool: pass@1, self-consistency, oracle, PRM under each aggregation')
      .requiredOption('--run <run>', 'the run whose PRM scores the candidates')
      .option('--agg <agg>', `aggregation reported first (${AGGREGATIONS.join(' | ')})`, 'logodds')
      .option('--backend <name>', 'tfjs backend (auto | wasm | cpu | tfjs-node | tfjs-node-gpu)', 'auto'),
  ).action((opts: EvalCliOptions) =>
    runAction(
      opts,
      (db) => {
        const runId = parseRunId(opts.run);
        if (!isAggName(opts.agg)) throw new UserError(`--agg must be one of ${AGGREGATIONS.join(', ')} (got "${opts.agg}")`);
        return evaluateRun(db, runId, {
          agg: opts.agg,
          backend: parseBackend(opts.backend),
          log,
          onProgress: (done, total) => process.stderr.write(`\rscoring ${done}/${total} candidates`),
        }).finally(() => process.stderr.write('\n'));
      },
      renderEvaluation,
    ),
  );
}

const fmt = (x: number | null) => (x == null ? '—' : x.toFixed(1));

export function renderEvaluation(e: RunEvaluation): string {
  const rows: BenchmarkResult[] = [...e.benchmarks, e.average];
  const aggs: AggName[] = [e.agg, ...AGGREGATIONS.filter((a) => a !== e.agg)];
  const head = ['benchmark', 'questions', 'pass@1', 'self-cons', 'oracle', ...aggs.map((a) => `PRM:${a}`), 'step AUROC'];
  const body = rows.map((r) => [
    r.benchmark,
    String(r.questions),
    fmt(r.passAt1),
    fmt(r.selfConsistency),
    fmt(r.oracle),
    ...aggs.map((a) => fmt(r.bon[a])),
    r.stepAuroc == null ? '—' : r.stepAuroc.toFixed(3),
  ]);
  const lines = [`evaluation ${e.evaluationId} of ${e.label} on ${e.backend} (${e.seconds.toFixed(1)} s), best-of-N accuracy in %`, table([head, ...body])];
  if (e.truth) {
    lines.push(`learned domain weights vs true quality (${e.truth.truthFile}): Spearman ${e.truth.spearman ?? '—'}`);
    lines.push(
      table([
        ['domain', 'weight', 'quality'],
        ...Object.keys(e.truth.truthQuality).map((d) => [d, e.truth!.domainWeights[d].toFixed(3), e.truth!.truthQuality[d].toFixed(3)]),
      ]),
    );
  }
  return lines.join('\n');
}

/** Left-aligned first column, right-aligned numbers. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}
