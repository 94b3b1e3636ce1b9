import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { deepMerge, flattenConfig, METHODS, parseTrainConfig, type Method } from '../core/engine/config';
import { BACKEND_CHOICES, type BackendRequest } from '../core/engine/tf-backend';
import { UserError } from '../core/errors';
import type { ConfigValue } from '../../src-shared/runs';
import { withCommon, withStudio, type CommonOptions } from './common';
import { followRun, renderOutcome } from './run-follow';

interface TrainCliOptions extends CommonOptions {
  method: string;
  config?: string;
  steps?: string;
  backend?: string;
  seed?: string;
  coldStart?: string;
  name?: string;
  prm?: string;
}

const BACKENDS: readonly string[] = BACKEND_CHOICES;
/** the --backend help of every command that trains or scores */
export const BACKEND_HELP = `tfjs backend: ${BACKENDS.join(' | ')} (webgpu: the GPU through Dawn; see README "Training on a GPU")`;

export function register(program: Command): void {
  withCommon(
    program
      .command('train')
      .description('train a PRM on the train pool: uniformly, or reweighted by the meta pool (bi-level)')
      .requiredOption('--method <method>', METHODS.join(' | '))
      .option('--config <file>', 'a JSON training config (see README "Training"); flags override it')
      .option('--steps <n>', 'training steps')
      .option('--backend <name>', BACKEND_HELP, 'auto')
      .option('--seed <n>', 'random seed (same seed and config: same result on the same backend)')
      .option('--cold-start <run>', 'start from this completed uniform run\'s PRM')
      .option('--name <name>', 'a name to show for the run')
      .option('--prm <kind>', 'compact (words and image) | features (an MLP on the steps\' vectors: `dreamprm embed`, or imported)'),
  ).action(async (opts: TrainCliOptions) => {
    await withStudio(opts, async (_api, service) => {
      const config = buildConfig(opts);
      const backend = parseBackend(opts.backend);
      return followRun(service, (api) => api.startRun({ ...startRequest(config), name: opts.name, backend }));
    }, renderOutcome);
  });
}

export function parseBackend(b: string | undefined): BackendRequest {
  const v = b ?? 'auto';
  if (!BACKENDS.includes(v)) throw new UserError(`--backend must be one of ${BACKENDS.join(', ')} (got "${v}")`);
  return v as BackendRequest;
}

function intOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${name} must be a non-negative integer (got "${v}")`);
  return n;
}

function buildConfig(opts: TrainCliOptions): unknown {
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
  const over: Record<string, unknown> = { method: opts.method };
  const steps = intOption('--steps', opts.steps);
  if (steps !== undefined) over.steps = steps;
  const seed = intOption('--seed', opts.seed);
  if (seed !== undefined) over.seed = seed;
  const cold = intOption('--cold-start', opts.coldStart);
  if (cold !== undefined) over.coldStart = { fromRun: cold };
  if (opts.prm !== undefined) {
    if (opts.prm !== 'compact' && opts.prm !== 'features') throw new UserError(`--prm must be compact or features (got "${opts.prm}")`);
    over.model = { kind: opts.prm };
  }
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
 * The API's startRun request for a built config: its method, and the rest in the flat form the
 * app's form sends. The API parses it (once), refusing unknown settings by name.
 */
function startRequest(config: unknown): { method: Method; config: Record<string, ConfigValue> } {
  const { method, ...rest } = config as Record<string, unknown>;
  return { method: method as Method, config: flattenConfig(rest) };
}
