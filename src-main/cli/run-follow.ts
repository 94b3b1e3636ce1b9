/**
 * `train` and `resume` through the StudioApi: start or resume a run, draw its progress from the
 * studio's run-progress events, wait for its run-status end, and report it as the API reads it.
 */
import type { StudioApi } from '../core/api/studio-api';
import type { StudioService } from '../core/api/service';
import type { RunOutcome } from '../core/engine/trainer-types';
import { UserError } from '../core/errors';
import type { RunDetail, RunProgress, RunSummary } from '../../src-shared/runs';
import { log } from './common';

/**
 * Starts (or resumes) a run with `begin`, follows it to its end and returns its outcome from
 * the API's getRun. Ctrl-C asks the API to cancel the run (it checkpoints first); a second
 * Ctrl-C quits at once. A failed run is an error; a cancelled one exits with 130.
 */
export async function followRun(service: StudioService, begin: (api: StudioApi) => Promise<RunSummary>): Promise<RunOutcome> {
  const bar = progressBar();
  let runId: number | null = null;
  // Ends are kept by run id: the event may come before `begin` has told us which run is ours.
  const ended = new Map<number, string | null>();
  let wake = (): void => {};
  const off = service.subscribe((e) => {
    if (e.type === 'run-progress' && (runId === null || e.runId === runId)) bar.update(e);
    if (e.type === 'run-status' && e.status !== 'running') {
      ended.set(e.runId, e.error);
      wake();
    }
  });
  const stopSigint = onSigint(service.api, () => runId);
  try {
    runId = (await begin(service.api)).runId;
    const id = runId;
    while (!ended.has(id)) await new Promise<void>((resolve) => (wake = resolve));
    bar.done();
    const outcome = outcomeOf(await service.api.getRun({ runId: id }), ended.get(id) ?? null);
    if (outcome.status === 'failed') throw new UserError(`run ${id} failed: ${outcome.error ?? 'unknown error'}`);
    if (outcome.status === 'cancelled') process.exitCode = 130;
    return outcome;
  } finally {
    bar.done();
    off();
    stopSigint();
  }
}

/** Ctrl-C: a clean cancel through the API; again (or before the run exists): quit at once. */
function onSigint(api: StudioApi, current: () => number | null): () => void {
  let interrupts = 0;
  const handler = (): void => {
    interrupts += 1;
    const runId = current();
    if (interrupts > 1 || runId === null) process.exit(130);
    log(`\ncancelling run ${runId} at the next step (Ctrl-C again to quit at once)`);
    api.cancelRun({ runId }).catch((e: unknown) => log(`dreamprm: ${(e as Error).message}`));
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

/**
 * The summary `train` and `resume` print (and their --json keys), read from the API's run. A
 * run the store does not show as ended (its worker failed before it could say so) is failed.
 */
function outcomeOf(r: RunDetail, endError: string | null): RunOutcome {
  const status = r.status === 'completed' || r.status === 'cancelled' ? r.status : 'failed';
  return {
    runId: r.runId,
    method: r.method,
    status,
    backend: r.backend,
    ...(r.device ? { device: r.device } : {}),
    fallback: r.backendFallback,
    steps: r.step,
    seconds: r.seconds,
    trainLoss: r.trainLoss,
    metaLoss: r.metaLoss,
    domainWeights: r.domainWeights,
    error: r.error ?? endError,
  };
}

function fmt(x: number | null, digits = 4): string {
  return x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

function progressLine(p: RunProgress): string {
  const eta = p.etaSeconds === null ? '' : ` eta ${Math.ceil(p.etaSeconds)}s`;
  return (
    `run ${p.runId} step ${p.step}/${p.totalSteps} train ${fmt(p.trainLoss)} meta ${fmt(p.metaLoss)}` +
    `${p.stepsPerSecond ? ` ${p.stepsPerSecond.toFixed(1)} steps/s` : ''}${eta}`
  );
}

/** Redrawn in place on a terminal; elsewhere (a log, CI) one line at each tenth of the run. */
function progressBar(): { update: (p: RunProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let lastLine = -1;
  let drawn = false;
  return {
    update: (p) => {
      const frac = p.totalSteps ? p.step / p.totalSteps : 0;
      if (tty) {
        const width = 24;
        const filled = Math.round(frac * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progressLine(p)}\x1b[K`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(frac * 10);
      if (tenth === lastLine) return;
      lastLine = tenth;
      log(progressLine(p));
    },
    done: () => {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}

export function renderOutcome(o: RunOutcome): string {
  const lines = [
    `run ${o.runId} (${o.method}) ${o.status} after ${o.steps} steps in ${o.seconds.toFixed(1)} s on ${o.backend}` +
      (o.device ? ` (${o.device})` : ''),
    `train loss ${fmt(o.trainLoss)}, meta loss ${fmt(o.metaLoss)}`,
  ];
  if (o.fallback) lines.push(`fallback: ${o.fallback}`);
  return [...lines, ...weightLines(o.domainWeights)].join('\n');
}

/** A run's domain weights, one a line (none: no lines), for `train`, `resume` and `runs show`. */
export function weightLines(weights: Record<string, number>): string[] {
  const ws = Object.entries(weights);
  if (!ws.length) return [];
  return ['domain weights:', ...ws.map(([d, w]) => `  ${d.padEnd(24)} ${w.toFixed(3)}`)];
}
