import type { Command } from 'commander';
import { UserError } from '../core/errors';
import type { RunDetail, RunSummary } from '../../src-shared/runs';
import { withCommon, withStudio, type CommonOptions } from './common';
import { followRun, renderOutcome, weightLines } from './run-follow';
import { BACKEND_HELP, parseBackend } from './train-command';

function runIdOf(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`RUN must be a run id (a positive integer), got "${s}"`);
  return n;
}

export function register(program: Command): void {
  const runs = program.command('runs').description('list and inspect training runs');
  withCommon(runs.command('list').description('all runs, oldest first')).action(async (opts: CommonOptions) => {
    await withStudio(opts, (api) => api.listRuns(), renderList, { read: true });
  });
  withCommon(runs.command('show').description('one run: config, status, latest weights').argument('<run>', 'run id')).action(
    async (run: string, opts: CommonOptions) => {
      await withStudio(opts, (api) => api.getRun({ runId: runIdOf(run) }), renderDetail, { read: true });
    },
  );
  withCommon(
    runs.command('tag').description('set a run\'s tags, replacing its old ones (none: clear them)').argument('<run>', 'run id').argument('[tags...]', 'tags'),
  ).action(async (run: string, tags: string[], opts: CommonOptions) => {
    await withStudio(
      opts,
      async (api) => ({ runId: runIdOf(run), tags: await api.setRunTags({ runId: runIdOf(run), tags }) }),
      (r) => `run ${r.runId}: ${r.tags.length ? `tags ${r.tags.join(', ')}` : 'no tags'}`,
    );
  });

  withCommon(
    program
      .command('resume')
      .description('continue an interrupted, cancelled or failed run from its last checkpoint')
      .argument('<run>', 'run id')
      .option('--backend <name>', `${BACKEND_HELP} (default: the run's)`),
  ).action(async (run: string, opts: CommonOptions & { backend?: string }) => {
    await withStudio(
      opts,
      async (_api, service) => {
        const runId = runIdOf(run);
        const backend = opts.backend === undefined ? undefined : parseBackend(opts.backend);
        return followRun(service, (api) => api.resumeRun({ runId, backend }));
      },
      renderOutcome,
    );
  });

  withCommon(
    program
      .command('cancel')
      .description('ask a running run (in any process) to stop at its next step; it writes a checkpoint')
      .argument('<run>', 'run id'),
  ).action(async (run: string, opts: CommonOptions) => {
    // The API's cancelRun asks the process training the run (any process: it polls the flag).
    await withStudio(
      opts,
      (api) => api.cancelRun({ runId: runIdOf(run) }),
      (r) => `run ${r.runId}: cancel requested; it stops at its next step`,
    );
  });
}

function fmt(x: number | null): string {
  return x === null ? '-' : x.toFixed(4);
}

function renderList(rs: RunSummary[]): string {
  if (!rs.length) return 'no runs yet (start one with `dreamprm train --method uniform`)';
  const head = ['run', 'method', 'status', 'step', 'backend', 'device', 'train', 'meta', 'seconds'];
  const rows = rs.map((r) => [
    String(r.runId),
    r.method,
    r.status,
    `${r.step}/${r.totalSteps}`,
    r.backend + (r.backendFallback ? ' (fallback)' : ''),
    r.device ?? '-',
    fmt(r.trainLoss),
    fmt(r.metaLoss),
    r.seconds.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

function deviceLine(r: RunDetail): string {
  const parity = r.parityMaxAbsDiff === null ? '' : `, parity check vs cpu: max |diff| ${r.parityMaxAbsDiff.toExponential(2)}`;
  return `device ${r.device ?? '-'}${parity}`;
}

function renderDetail(r: RunDetail): string {
  const lines = [
    `run ${r.runId}${r.name ? ` "${r.name}"` : ''}: ${r.method}, ${r.status}, step ${r.step}/${r.totalSteps}, backend ${r.backend}`,
    `created ${r.createdAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}, ${r.seconds.toFixed(1)} s of training`,
    `train loss ${fmt(r.trainLoss)}, meta loss ${fmt(r.metaLoss)}, last checkpoint ${r.lastCheckpointStep ?? '-'}`,
  ];
  lines.push(deviceLine(r));
  if (r.backendFallback) lines.push(`fallback: ${r.backendFallback}`);
  if (r.error) lines.push(`error: ${r.error}`);
  return [...lines, ...weightLines(r.domainWeights)].join('\n');
}
