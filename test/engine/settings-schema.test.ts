/**
 * One source for every training setting: each leaf of the config schema has a label and help,
 * a field in the new-run form (unless meant for flags and files only), a `train` flag whose
 * value reaches the parsed config at that path, and a row in the README's settings table.
 */
import { Command, type Option } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flagOf } from '../../src-main/cli/setting-flags';
import { withSettingsTable } from '../../src-main/cli/settings-table';
import { buildConfig, register } from '../../src-main/cli/train-command';
import { RUN_CONFIG_FIELDS } from '../../src-main/core/api/run-fields';
import { deepMerge, flattenConfig, parseTrainConfig, type Method } from '../../src-main/core/engine/config';
import { SETTINGS, type Setting } from '../../src-main/core/engine/settings';

const dir = mkdtempSync(join(tmpdir(), 'dreamprm-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function trainCommand(): Command {
  const program = new Command().exitOverride();
  register(program);
  const train = program.commands.find((c) => c.name() === 'train') as Command;
  return train.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
}

/** What `dreamprm train --method M ...argv` would train with, without training. */
function configFrom(method: Method, argv: string[]) {
  const train = trainCommand();
  train.parseOptions(['--method', method, ...argv]);
  return flattenConfig(parseTrainConfig(buildConfig(train.opts() as Parameters<typeof buildConfig>[0])));
}

const methodFor = (s: Setting): Method => s.meta.methods?.[0] ?? 'domain';
/** car is valid only with a cold start: the run it ranks instances with. */
const baseOf = (method: Method) => (method === 'car' ? { method, coldStart: { fromRun: 1 } } : { method });

/** A valid value other than the method's default: the flag must really move the setting. */
function otherValue(s: Setting): string {
  const method = methodFor(s);
  const current = flattenConfig(parseTrainConfig(baseOf(method)))[s.key];
  if (s.kind === 'boolean') return String(!current);
  if (s.kind === 'choice') return (s.choices ?? []).find((c) => c !== current) as string;
  if (s.kind === 'run') return '7';
  const d = current as number;
  const candidates = [d * 2, d + 1, ((s.min ?? 0) + (s.max ?? 1)) / 2, d - 1, s.max];
  const ok = candidates.find((v) => {
    if (v === undefined || v === d || (s.kind === 'integer' && !Number.isInteger(v))) return false;
    try {
      parseTrainConfig(deepMerge(baseOf(method), nested(s.key, v)));
      return true;
    } catch {
      return false;
    }
  });
  return String(ok);
}

function nested(key: string, v: unknown): Record<string, unknown> {
  return key.split('.').reduceRight<Record<string, unknown>>((acc, part, i, parts) => (i === parts.length - 1 ? { [part]: v } : { [part]: acc }), {});
}

describe('the config schema is the one source of every setting', () => {
  it('walks every leaf, each with a label and a one-line help', () => {
    expect(SETTINGS.length).toBeGreaterThanOrEqual(44);
    const leaves = Object.keys(flattenConfig(parseTrainConfig({ method: 'domain' }))).filter((k) => k !== 'method');
    expect(SETTINGS.map((s) => s.key)).toEqual(leaves);
    for (const s of SETTINGS) {
      expect(s.meta.label, s.key).toMatch(/\S/);
      expect(s.meta.help, s.key).toMatch(/^[^\n]+$/);
    }
  });

  it('derives kinds, bounds and choices from the zod types', () => {
    const by = Object.fromEntries(SETTINGS.map((s) => [s.key, s]));
    expect(by['upper.target'].choices).toEqual(['label', 'both', 'rank']);
    expect(by['coldStart.fromRun']).toMatchObject({ kind: 'run', default: null });
    expect(by['upper.unroll']).toMatchObject({ kind: 'integer', min: 1, max: 1000, default: 5 });
    expect(by['lower.lr']).toMatchObject({ kind: 'number', min: 0, minExclusive: true, max: 1 });
    expect(by['model.image']).toMatchObject({ kind: 'boolean', default: true });
    expect(by['model.kind'].meta.needs).toBe('step-vectors');
  });

  it('gives the new-run form a field for every leaf meant for it', () => {
    const fields = new Map(RUN_CONFIG_FIELDS.map((f) => [f.key, f]));
    const inForm = SETTINGS.filter((s) => s.meta.form !== false);
    expect([...fields.keys()]).toEqual(inForm.map((s) => s.key));
    for (const s of inForm) expect(fields.get(s.key), s.key).toMatchObject({ kind: s.kind, label: s.meta.label, help: s.meta.help });
    expect(fields.get('upper.target')?.choices).toContain('rank');
    expect(SETTINGS.filter((s) => s.meta.form === false).map((s) => s.key)).toEqual(['checkpointEvery', 'snapshotEvery', 'metricsEvery']);
  });

  it('gives `train` a flag for every leaf, and keeps the older flags', () => {
    const flags = trainCommand().options.map((o: Option) => o.long);
    for (const s of SETTINGS) expect(flags, s.key).toContain(flagOf(s.key));
    for (const f of ['--method', '--config', '--backend', '--name', '--steps', '--seed', '--cold-start', '--prm']) expect(flags).toContain(f);
    expect(flagOf('upper.metaLr')).toBe('--upper.meta-lr');
    expect(flagOf('coldStart.fromRun')).toBe('--cold-start.from-run');
  });

  it.each(SETTINGS.map((s) => [s.key, s] as const))('the flag of %s reaches the parsed config', (key, s) => {
    const value = otherValue(s);
    expect(value, key).not.toBe('undefined');
    const method = methodFor(s);
    const parsed = configFrom(method, [...(method === 'car' ? ['--cold-start', '1'] : []), flagOf(key), value]);
    expect(String(parsed[key])).toBe(value);
  });

  it('keeps the short flags and lets flags override the --config file', () => {
    expect(configFrom('domain', ['--cold-start', '3', '--prm', 'features'])).toMatchObject({ 'coldStart.fromRun': 3, 'model.kind': 'features' });
    expect(configFrom('uniform', ['--cold-start.from-run', 'none'])['coldStart.fromRun']).toBeNull();
    expect(() => configFrom('domain', ['--cold-start', '3', '--cold-start.from-run', '4'])).toThrow(/--cold-start\.from-run and --cold-start disagree/);
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ steps: 7, upper: { metaLr: 0.5, unroll: 2 }, model: { image: false } }));
    const c = configFrom('domain', ['--config', file, '--upper.meta-lr', '0.2', '--model.image', 'true']);
    expect(c).toMatchObject({ steps: 7, 'upper.metaLr': 0.2, 'upper.unroll': 2, 'model.image': true });
  });

  it('refuses bad flag values and misspelt nested keys, naming them', () => {
    expect(() => configFrom('domain', ['--upper.unroll', 'abc'])).toThrow('--upper.unroll must be a non-negative integer (got "abc")');
    expect(() => configFrom('domain', ['--upper.unroll', '0'])).toThrow('--upper.unroll must be at least 1 (got "0")');
    expect(() => configFrom('domain', ['--upper.meta-lr', 'fast'])).toThrow('--upper.meta-lr must be a number (got "fast")');
    expect(() => configFrom('domain', ['--lower.lr', '0'])).toThrow('--lower.lr must be above 0 (got "0")');
    expect(() => configFrom('domain', ['--upper.lo', 'x'])).toThrow('--upper.lo must be a number (got "x")');
    expect(() => configFrom('domain', ['--upper.target', 'best'])).toThrow(/'--upper\.target <choice>' argument 'best' is invalid\. Allowed choices are label, both, rank/);
    expect(() => configFrom('domain', ['--model.image', 'no'])).toThrow(/Allowed choices are true, false/);
    expect(() => parseTrainConfig({ method: 'domain', upper: { metaLR: 5 } })).toThrow(/upper.*metaLR/);
    const file = join(dir, 'misspelt.json');
    writeFileSync(file, JSON.stringify({ upper: { metaLR: 5 } }));
    expect(() => configFrom('domain', ['--config', file])).toThrow(/upper.*metaLR/);
  });

  it('has the README settings table up to date (npm run docs:settings)', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    expect(withSettingsTable(readme) === readme, 'README.md settings table is stale: run npm run docs:settings').toBe(true);
  });
});
