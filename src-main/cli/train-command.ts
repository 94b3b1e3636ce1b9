import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { deepMerge, flattenConfig, METHODS, parseTrainConfig, type Method } from '../core/engine/config';
import { BACKEND_CHOICES, type BackendRequest } from '../core/engine/tf-backend';
import { UserError } from '../core/errors';
import type { ConfigValue } from '../../src-shared/runs';
import { withCommon, withStudio, type CommonOptions } from './common';
import { followRun, renderOutcome } from './run-follow';
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
 * The API's startRun request for a built config: its method, and the rest in the flat form the
 * app's form sends. The API parses it (once), refusing unknown settings by name.
 */
function startRequest(config: unknown): { method: Method; config: Record<string, ConfigValue> } {
  const { method, ...rest } = config as Record<string, unknown>;
  return { method: method as Method, config: flattenConfig(rest) };
}
