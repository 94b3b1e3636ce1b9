import type { Command } from 'commander';
import { AGGREGATIONS, isAggName } from '../core/engine/aggregate';
import { probeRun, type RunProbe } from '../core/engine/probe';
import { parseRunId } from '../core/eval/run-eval';
import { compareWithTruth } from '../core/eval/truth';
import { compareInstancesWithTruth, type InstanceTruth } from '../core/eval/instance-truth';
import { META_TARGETS, type MetaTarget } from '../core/engine/losses';
import { UserError } from '../core/errors';
import { intOption, log, runAction, withCommon, type CommonOptions } from './common';
import { BACKEND_HELP, parseBackend } from './train-command';

interface ProbeCliOptions extends CommonOptions {
  run?: string;
  batches: string;
  metaBatch: string;
  agg?: string;
  target?: string;
  backend?: string;
  instances?: boolean;
}

const isMetaTarget = (s: string): s is MetaTarget => (META_TARGETS as readonly string[]).includes(s);

export function register(program: Command): void {
  withCommon(
    program
      .command('probe')
      .description("per-domain hypergradient at a run's PRM: which domains the upper level would raise or lower, with standard errors")
      .requiredOption('--run <run>', 'the run whose last checkpoint is probed')
      .option('--batches <n>', 'training batches probed', '40')
      .option('--meta-batch <n>', 'meta CoTs in the meta gradient', '400')
      .option('--agg <agg>', `meta aggregation (${AGGREGATIONS.join(' | ')}; default: the run's)`)
      .option('--target <target>', `meta target (${META_TARGETS.join(' | ')}; default: the run's)`)
      .option('--backend <name>', BACKEND_HELP, 'auto')
      .option('--instances', "instead: the run's learned instance weights against the sample's per-CoT label corruption (built-in sample only)"),
  ).action((opts: ProbeCliOptions) =>
    opts.instances ? probeInstances(opts) : runAction(
      opts,
      async (db) => {
        const runId = parseRunId(opts.run);
        const { agg, target } = opts;
        if (agg !== undefined && !isAggName(agg)) throw new UserError(`--agg must be one of ${AGGREGATIONS.join(', ')} (got "${agg}")`);
        if (target !== undefined && !isMetaTarget(target)) throw new UserError(`--target must be one of ${META_TARGETS.join(', ')} (got "${target}")`);
        const probe = await probeRun(db, runId, {
          batches: intOption('--batches', opts.batches, 1),
          metaBatchSize: intOption('--meta-batch', opts.metaBatch, 1),
          spec: { ...(agg ? { agg } : {}), ...(target ? { target } : {}) },
          backend: parseBackend(opts.backend),
          log,
        });
        // Where the sample's truth.json is present: does helpfulness order the domains as their quality does?
        const truth = compareWithTruth(db, Object.fromEntries(probe.domains.map((d) => [d.domain, d.helpfulness])));
        return { ...probe, spearman: truth?.spearman ?? null };
      },
      renderProbe,
    ),
  );
}

export function renderProbe(p: RunProbe & { spearman: number | null }): string {
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

/** `probe --instances`: reads stored weights only, so it needs no backend and writes nothing. */
function probeInstances(opts: ProbeCliOptions): Promise<void> {
  return runAction(
    opts,
    (db) => {
      const runId = parseRunId(opts.run);
      const t = compareInstancesWithTruth(db, runId);
      if (!t) {
        throw new UserError(
          `run ${runId}: no instance weights to compare, or no built-in sample truth.json beside the imported corpus (\`dreamprm sample --import\` or \`dreamprm demo\` writes one)`,
        );
      }
      return t;
    },
    renderInstanceTruth,
    { read: true },
  );
}

export function renderInstanceTruth(t: InstanceTruth): string {
  const fmt = (x: number | null) => (x === null ? '—' : x.toFixed(3));
  const width = Math.max(6, ...t.domains.map((d) => d.domain.length));
  return [
    `run ${t.runId} at step ${t.step}: ${t.instances} instance weights against the share of each CoT's step labels the sample corrupted (${t.truthFile})`,
    `Spearman over all instances: ${fmt(t.spearman)} (negative: noisier CoTs weigh less; 0: the weights do not follow label quality)`,
    `${'domain'.padEnd(width)}  instances  mean weight  corrupted  Spearman within`,
    ...t.domains.map(
      (d) =>
        `${d.domain.padEnd(width)}  ${String(d.instances).padStart(9)}  ${d.meanWeight.toFixed(3).padStart(11)}  ${d.corruptedShare.toFixed(3).padStart(9)}  ${fmt(d.spearman).padStart(15)}`,
    ),
  ].join('\n');
}
