/**
 * The `train` command's setting flags, one per setting of the config schema (core/engine/
 * settings.ts): `--upper.meta-lr 0.2` sets upper.metaLr. A flag's name is the setting's dotted
 * path with each segment kebab-cased; its help is the setting's. Booleans take a value
 * (`--model.image false`), so that a flag can also turn on what a --config file turned off;
 * `--cold-start.from-run none` clears a cold start. Values stay strings while commander parses
 * and are typed here, so that a bad one fails as every CLI error does: one line naming the flag.
 * Flags without a value given leave the --config file's (or the default) value alone.
 */
import { Option, type Command } from 'commander';
import { unflattenConfig } from '../core/engine/config';
import { methodDefaults, SETTINGS, type Setting } from '../core/engine/settings';
import { UserError } from '../core/errors';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** 'upper.metaLr' → '--upper.meta-lr' */
export function flagOf(key: string): string {
  return `--${key.split('.').map(kebab).join('.')}`;
}

/** The older short names, kept: each sets the same setting as its dotted flag. */
const ALIASES = [
  { flag: '--cold-start', key: 'coldStart.fromRun', help: "start from this completed uniform run's PRM (same as --cold-start.from-run)" },
  { flag: '--prm', key: 'model.kind', help: "compact (words and image) | features (an MLP on the steps' vectors: `dreamprm embed`, or imported); same as --model.kind" },
] as const;

const bySetting = new Map(SETTINGS.map((s) => [s.key, s]));
const fmt = (v: unknown) => (v === null ? 'none' : String(v));

function placeholder(s: Setting): string {
  if (s.kind === 'boolean') return '<true|false>';
  if (s.kind === 'choice') return '<choice>';
  if (s.kind === 'run') return '<run|none>';
  return s.kind === 'integer' ? '<n>' : '<x>';
}

/** "≥ 1, ≤ 4096"; "> 0" for an exclusive bound; empty when unbounded */
export function rangeText(s: Setting): string {
  const bounds = [];
  if (s.min !== undefined) bounds.push(`${s.minExclusive ? '>' : '≥'} ${s.min}`);
  if (s.max !== undefined) bounds.push(`≤ ${s.max}`);
  return bounds.join(', ');
}

function description(s: Setting): string {
  const perMethod = Object.entries(methodDefaults(s)).map(([m, v]) => `, ${m} ${fmt(v)}`).join('');
  const parts = [rangeText(s), `default ${fmt(s.default)}${perMethod}`, s.meta.methods ? `for ${s.meta.methods.join(', ')}` : ''];
  return `${s.meta.help} (${parts.filter(Boolean).join('; ')})`;
}

function optionOf(s: Setting, flag = flagOf(s.key), help = description(s)): Option {
  const opt = new Option(`${flag} ${placeholder(s)}`, help);
  if (s.kind === 'choice' && s.choices) opt.choices(s.choices);
  if (s.kind === 'boolean') opt.choices(['true', 'false']);
  return opt;
}

/** Adds a flag for every setting (and the aliases) to a command; returns it for chaining. */
export function addSettingFlags(cmd: Command): Command {
  for (const s of SETTINGS) cmd.addOption(optionOf(s));
  for (const a of ALIASES) cmd.addOption(optionOf(bySetting.get(a.key) as Setting, a.flag, a.help));
  return cmd;
}

function outOfRange(s: Setting, n: number): string | null {
  if (s.min !== undefined && (s.minExclusive ? n <= s.min : n < s.min)) return `${s.minExclusive ? 'above' : 'at least'} ${s.min}`;
  if (s.max !== undefined && n > s.max) return `at most ${s.max}`;
  return null;
}

function parseNumber(s: Setting, flag: string, raw: string): number {
  // An integer setting that cannot be negative says so first: "-5" is no number of steps.
  const nonNegative = s.kind === 'integer' && (s.min ?? -1) >= 0;
  const ok = s.kind === 'integer' ? (nonNegative ? /^\d+$/ : /^-?\d+$/).test(raw) : raw.trim() !== '' && Number.isFinite(Number(raw));
  const what = s.kind === 'number' ? 'a number' : nonNegative ? 'a non-negative integer' : 'an integer';
  if (!ok) throw new UserError(`${flag} must be ${what} (got "${raw}")`);
  const n = Number(raw);
  const range = outOfRange(s, n);
  if (range) throw new UserError(`${flag} must be ${range} (got "${raw}")`);
  return n;
}

/** A flag's string as the setting's value; the error names the flag. */
export function parseFlagValue(s: Setting, flag: string, raw: string): number | string | boolean | null {
  if (s.kind === 'boolean') return raw === 'true';
  if (s.kind === 'choice') return raw;
  if (s.kind === 'run' && raw === 'none') return null;
  if (s.kind === 'run') return parseNumber({ ...s, kind: 'integer', min: 1 }, flag, raw);
  return parseNumber(s, flag, raw);
}

/** Where commander keeps each flag's value, with the flag and its setting. */
const FLAGS = [
  ...SETTINGS.map((s) => ({ flag: flagOf(s.key), setting: s })),
  ...ALIASES.map((a) => ({ flag: a.flag, setting: bySetting.get(a.key) as Setting })),
].map((f) => ({ ...f, attr: new Option(f.flag).attributeName() }));

/**
 * The settings given as flags, as a nested config object ({upper: {metaLr: 0.2}}) to lay over
 * the --config file's. An alias and its dotted flag with different values are refused.
 */
export function settingOverrides(opts: object): Record<string, unknown> {
  const values = opts as Record<string, unknown>;
  const flat: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const { flag, setting, attr } of FLAGS) {
    const raw = values[attr];
    if (typeof raw !== 'string') continue;
    const v = parseFlagValue(setting, flag, raw);
    if (setting.key in flat && flat[setting.key] !== v) throw new UserError(`${from[setting.key]} and ${flag} disagree: give one of them`);
    flat[setting.key] = v;
    from[setting.key] = flag;
  }
  return unflattenConfig(flat);
}
