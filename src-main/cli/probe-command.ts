import type { Command } from 'commander';
import { AGGREGATIONS, isAggName } from '../core/engine/aggregate';
import { probeRun, type RunProbe } from '../core/engine/probe';
import { parseRunId } from '../core/eval/run-eval';
import { UserError } from '../core/errors';
import { log, runAction, withCommon, type CommonOptions } from './common';
import { parseBackend } from './train-command';

const TARGETS = ['label', 'both', 'rank'] as const;

interface ProbeCliOptions extends CommonOptions {
  run?: string;
  batches: string;
  metaBatch: string;
  agg?: string;
  target?: string;
  backend?: string;
}

function positiveInt(raw: string, option: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${option} must be a positive whole number (got "${raw}")`);
  return n;
}

export function register(program: Command): void {
  withCommon(
    program
      .command('probe')
      .description("per-domain hypergradient at a run's PRM: which domains the upper level would raise or lower, with standard errors")
      .requiredOption('--run <run>', 'the run whose last checkpoint is probed')
      .option('--batches <n>', 'training batches probed', '40')
      .option('--meta-batch <n>', 'meta CoTs in the meta gradient', '400')
      .option('--agg <agg>', `meta aggregation (${AGGREGATIONS.join(' | ')}; default: the run's)`)
      .option('--target <target>', `meta target (${TARGETS.join(' | ')}; default: the run's)`)
      .option('--backend <name>', 'tfjs backend (auto | wasm | cpu | tfjs-node | tfjs-node-gpu)', 'auto'),
  ).action((opts: ProbeCliOptions) =>
    runAction(
      opts,
      (db) => {
        const runId = parseRunId(opts.run);
        if (opts.agg !== undefined && !isAggName(opts.agg)) throw new UserError(`--agg must be one of ${AGGREGATIONS.join(', ')} (got "${opts.agg}")`);
        const target = opts.target;
        if (target !== undefined && !(TARGETS as readonly string[]).includes(target)) {
          throw new UserError(`--target must be one of ${TARGETS.join(', ')} (got "${target}")`);
        }
        return probeRun(db, runId, {
          batches: positiveInt(opts.batches, '--batches'),
          metaBatchSize: positiveInt(opts.metaBatch, '--meta-batch'),
          spec: { ...(opts.agg ? { agg: opts.agg as never } : {}), ...(target ? { target: target as (typeof TARGETS)[number] } : {}) },
          backend: parseBackend(opts.backend),
          log,
        });
      },
      renderProbe,
    ),
  );
}

export function renderProbe(p: RunProbe): string {
  const rows = [...p.domains].sort((a, b) => b.helpfulness - a.helpfulness);
  const width = Math.max(6, ...rows.map((r) => r.domain.length));
  const lines = [
    `run ${p.runId} on ${p.backend}: meta ${p.spec.target}/${p.spec.agg}, ${p.batches} batches; helpfulness ×1000 (positive: the upper level raises the domain)`,
    `${'domain'.padEnd(width)}  helpfulness  ± s.e.  instances`,
    ...rows.map(
      (r) =>
        `${r.domain.padEnd(width)}  ${(r.helpfulness * 1000).toFixed(2).padStart(11)}  ${(r.stderr * 1000).toFixed(2).padStart(6)}  ${String(r.instances).padStart(9)}`,
    ),
  ];
  if (p.spearman !== null) lines.push(`Spearman with the sample's true quality: ${p.spearman}`);
  return lines.join('\n');
}
