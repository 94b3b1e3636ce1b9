import type { Command } from 'commander';
import { AGGREGATIONS, isAggName } from '../core/engine/aggregate';
import { UserError } from '../core/errors';
import { importScores, type ImportScoresResult } from '../core/export/import-scores';
import { runAction, withCommon, type CommonOptions } from './common';

interface ImportScoresCliOptions extends CommonOptions {
  label?: string;
  agg: string;
  allowMissing?: boolean;
}

export function register(program: Command): void {
  withCommon(
    program
      .command('import-scores')
      .description('evaluate per-step scores of the test candidates from a PRM run elsewhere (JSONL), like an internal run')
      .argument('<file>', 'JSONL: {"cotId": 123, "scores": [0.9, 0.7]} or {"qid", "domain", "cotId": "<the data\'s CoT id>", "scores"}')
      .option('--label <name>', 'name of this evaluation (default: the file name)')
      .option('--agg <agg>', `aggregation reported first: ${AGGREGATIONS.join(' | ')}`, 'logodds')
      .option('--allow-missing', 'evaluate even if some candidates have no scores (they score 0, never chosen)'),
  ).action(async (file: string, opts: ImportScoresCliOptions) => {
    await runAction(
      opts,
      (db) => {
        if (!isAggName(opts.agg)) throw new UserError(`unknown aggregation "${opts.agg}": use ${AGGREGATIONS.join(', ')}`);
        return importScores(db, file, { label: opts.label, agg: opts.agg, allowMissing: opts.allowMissing });
      },
      render,
    );
  });
}

function render(r: ImportScoresResult): string {
  const e = r.evaluation;
  const lines = [`evaluation ${e.evaluationId} "${e.label}": ${r.scored} candidates scored from ${r.file}`];
  if (r.missing) lines.push(`${r.missing} candidates had no scores (scored 0)`);
  if (r.lengthMismatches) lines.push(`${r.lengthMismatches} candidates have a different number of scores than steps`);
  if (r.ignored) lines.push(`${r.ignored} scored CoTs are not judged (no correctness label or excluded domain)`);
  lines.push(`benchmark             questions  pass@1  self-cons  oracle  best-of-N (${e.agg})`);
  for (const b of [...e.benchmarks, e.average]) {
    lines.push(
      `${b.benchmark.padEnd(20)}  ${String(b.questions).padStart(9)}  ${b.passAt1.toFixed(1).padStart(6)}  ${b.selfConsistency.toFixed(1).padStart(9)}  ${b.oracle.toFixed(1).padStart(6)}  ${b.bon[e.agg].toFixed(1).padStart(8)}`,
    );
  }
  return lines.join('\n');
}
