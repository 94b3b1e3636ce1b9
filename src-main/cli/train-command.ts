import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { deepMerge, METHODS, parseTrainConfig } from '../core/engine/config';
import { BACKEND_CHOICES, type BackendRequest } from '../core/engine/tf-backend';
import { UserError } from '../core/errors';
import { TrainingHost, type RunOutcome, type RunProgress } from '../worker/training-host';
import { dbPathOf, log, runAction, withCommon, type CommonOptions } from './common';
import { addSettingFlags, settingOverrides } from './setting-flags';

/** Besides these, one value per setting flag (setting-flags.ts), still a string. */
interface TrainCliOptions extends CommonOptions {
  method: string;
  config?: string;
  backend?: string;
  name?: string;
}

const BACKENDS: readonly string[] = BACKEND_CHOICES;
/** the --backend help of every command that trains or scores */
export const BACKEND_HELP = `tfjs backend: ${BACKENDS.join(' | ')} (webgpu: the GPU through Dawn; see README "Training on a GPU")`;

export function register(program: Command): void {
  withCommon(addSettingFlags(
    program
      .command('train')
      .description('train a PRM on the train pool: uniformly, or reweighted by the meta pool (bi-level)')
      .requiredOption('--method <method>', METHODS.join(' | '))
      .option('--config <file>', 'a JSON training config (see README "Training"); the setting flags below override it')
      .option('--backend <name>', BACKEND_HELP, 'auto')
      .option('--name <name>', 'a name to show for the run'),
  )).action(async (opts: TrainCliOptions) => {
    await runAction(opts, async () => {
      const config = buildConfig(opts);
      const backend = parseBackend(opts.backend);
      return runWithHost(dbPathOf(opts), (host) => host.start(config, { backend, name: opts.name ?? null }));
    }, renderOutcome);
  });
}

export function parseBackend(b: string | undefined): BackendRequest {
  const v = b ?? 'auto';
  if (!BACKENDS.includes(v)) throw new UserError(`--backend must be one of ${BACKENDS.join(', ')} (got "${v}")`);
  return v as BackendRequest;
}

/** The config a `train` command line asks for: --config's file, the setting flags over it. Validated, not filled in. */
export function buildConfig(opts: TrainCliOptions): unknown {
  let base: Record<string, unknown> = {};
  if (opts.config) {
    let text: string;
    try {
      text = readFileSync(opts.config, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read --config ${opts.config}: ${(e as Error).message}`);
    }
    base = parseConfigObject(text, opts.config);
  }
  const over = { method: opts.method, ...settingOverrides(opts) };
  const merged = deepMerge(base, over);
  // Validate now, so a bad config fails before any worker starts.
  parseTrainConfig(merged, opts.config ? `--config ${opts.config}` : 'training config');
  return merged;
}

/** A config file must hold one JSON object: an array or a number would silently mean "all defaults". */
function parseConfigObject(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UserError(`--config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const found = Array.isArray(value) ? 'a JSON array' : value === null ? 'null' : `a ${typeof value}`;
    throw new UserError(
      `--config ${file}: the top level is ${found}; expected one JSON object of settings, such as {"steps": 400, "upper": {"metaLr": 0.01}} (README "Training", Config)`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Starts (or resumes) a run through a TrainingHost, draws progress on stderr, turns Ctrl-C into
 * a clean cancel (a second Ctrl-C quits at once), and returns the outcome.
 */
export async function runWithHost(
  dbPath: string,
  begin: (host: TrainingHost) => Promise<{ runId: number }>,
): Promise<RunOutcome> {
  const host = new TrainingHost(dbPath);
  const bar = progressBar();
  host.onProgress(bar.update);
  if (process.env.DREAMPRM_DEBUG) host.onLog((m) => log(m));
  let runId: number | null = null;
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1 || runId === null) process.exit(130);
    log(`\ncancelling run ${runId} at the next step (Ctrl-C again to quit at once)`);
    try {
      host.cancel(runId);
    } catch (e) {
      log(`dreamprm: ${(e as Error).message}`);
    }
  };
  process.on('SIGINT', onSigint);
  try {
    runId = (await begin(host)).runId;
    const outcome = await host.whenDone(runId);
    bar.done();
    if (outcome.status === 'failed') throw new UserError(`run ${runId} failed: ${outcome.error ?? 'unknown error'}`);
    if (outcome.status === 'cancelled') process.exitCode = 130;
    return outcome;
  } finally {
    bar.done();
    process.off('SIGINT', onSigint);
    await host.close();
  }
}

function fmt(x: number | null, digits = 4): string {
  return x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

function progressBar(): { update: (p: RunProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let lastLine = -1;
  let drawn = false;
  return {
    update: (p) => {
      const frac = p.totalSteps ? p.step / p.totalSteps : 0;
      const eta = p.etaSeconds === null ? '' : ` eta ${Math.ceil(p.etaSeconds)}s`;
      const text =
        `run ${p.runId} step ${p.step}/${p.totalSteps} train ${fmt(p.trainLoss)} meta ${fmt(p.metaLoss)}` +
        `${p.stepsPerSecond ? ` ${p.stepsPerSecond.toFixed(1)} steps/s` : ''}${eta}`;
      if (tty) {
        const width = 24;
        const filled = Math.round(frac * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
        drawn = true;
      } else {
        const tenth = Math.floor(frac * 10);
        if (tenth !== lastLine) {
          lastLine = tenth;
          log(text);
        }
      }
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
  const ws = Object.entries(o.domainWeights);
  if (ws.length) {
    lines.push('domain weights:');
    for (const [d, w] of ws) lines.push(`  ${d.padEnd(24)} ${w.toFixed(3)}`);
  }
  return lines.join('\n');
}
