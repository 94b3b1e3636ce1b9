import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { smallConfig, tempDir } from './helpers';

const dir = tempDir('sample-cli');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dreamprm(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DREAMPRM_HOME: join(dir, 'home') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dreamprm sample', () => {
  const configFile = join(dir, 'small.json');
  writeFileSync(configFile, JSON.stringify(smallConfig()));

  it('generates, imports and reports as JSON', () => {
    const out = join(dir, 'out');
    const db = join(dir, 'studio.db');
    const r = dreamprm(['sample', '--out', out, '--seed', '5', '--config', configFile, '--import', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['out', 'seed', 'records', 'images', 'seconds', 'domains', 'import']);
    expect(j.seed).toBe(5);
    expect(j.records).toBe(100 + 10 + 24); // train + meta + 6 questions × 4 candidates
    expect(j.images).toBe(readdirSync(join(out, 'images')).length);
    expect(j.domains.bars).toEqual({ pool: 'train', cots: 24, quality: expect.any(Number) });
    expect(j.domains.dev).toEqual({ pool: 'meta', cots: 10, quality: null });
    expect(j.domains.bench).toEqual({ pool: 'test', cots: 24, quality: null });
    expect(j.import).toMatchObject({ format: 'jsonl', records: j.records, imported: j.records, rejected: 0, missingImages: 0 });
    expect(existsSync(db)).toBe(true);
  });

  it('touches no database without --import, and renders a contact sheet when asked', () => {
    const out = join(dir, 'plain');
    const sheet = join(dir, 'sheet.png');
    const r = dreamprm(['sample', '--out', out, '--config', configFile, '--contact-sheet', sheet]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Sample written to .* CoTs, \d+ images \(seed 1\)/);
    expect(r.stdout).toMatch(/grid-web\s+train\s+16\s+0\.\d{3}/);
    expect(existsSync(sheet)).toBe(true);
    expect(existsSync(join(dir, 'home'))).toBe(false);
  });

  it('fails with a one-line reason on a bad seed', () => {
    const r = dreamprm(['sample', '--out', join(dir, 'bad'), '--seed', '-3']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('dreamprm: --seed must be an integer from 0 to 4294967295, got "-3"');
    expect(r.stdout).toBe('');
  });
});
