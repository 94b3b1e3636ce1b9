import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src-main/core/errors';
import { defaultSampleConfig, generateSample, loadSampleConfig, parseSampleConfig } from '../../src-main/core/sample';
import { smallConfig, tempDir } from './helpers';

const dir = tempDir('sample-config');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config as a user might write it, loosely typed so that tests can break it. */
interface LooseConfig {
  imageSize?: unknown;
  train: Record<string, unknown>[];
  meta: Record<string, unknown>;
  test: Record<string, unknown>[];
}

const minimal = (): LooseConfig => ({
  train: [{ name: 'bars', tasks: ['bars'], size: 10 }],
  meta: { name: 'dev', tasks: ['bars'], size: 5 },
  test: [{ name: 'bench', tasks: ['bars'], questions: 3 }],
});

function configError(input: unknown): string {
  try {
    parseSampleConfig(input, 'my.json');
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('sample config', () => {
  it('the default is the resource file, with defaults filled in', () => {
    const raw = JSON.parse(readFileSync('resources/sample/default-config.json', 'utf8'));
    const cfg = defaultSampleConfig();
    expect(cfg.train.map((d) => d.name)).toEqual(raw.train.map((d: { name: string }) => d.name));
    expect(cfg.imageSize).toBe(48);
    expect(cfg.meta.difficulty).toBe(0.5);
  });

  it('fills defaults for a minimal config', () => {
    const cfg = parseSampleConfig(minimal());
    expect(cfg.train[0]).toMatchObject({ k: 16, corruptionRate: 0, corruption: 'invert', cotsPerQuestion: 2 });
    expect(cfg.test[0].candidates).toBe(8);
  });

  it.each([
    ['an unknown key', (c: LooseConfig) => (c.train[0].kk = 3), /train\[0\]: Unrecognized key: "kk"/],
    ['k of 0', (c: LooseConfig) => (c.train[0].k = 0), /train\[0\]\.k: .*>=1/],
    ['a fractional size', (c: LooseConfig) => (c.train[0].size = 2.5), /train\[0\]\.size/],
    ['a rate above 1', (c: LooseConfig) => (c.train[0].corruptionRate = 1.5), /train\[0\]\.corruptionRate/],
    ['an unknown task', (c: LooseConfig) => (c.test[0].tasks = ['maze']), /test\[0\]\.tasks\[0\]/],
    ['an unknown corruption', (c: LooseConfig) => (c.train[0].corruption = 'shuffle'), /train\[0\]\.corruption/],
    ['a name with a space', (c: LooseConfig) => (c.meta.name = 'my dev'), /meta\.name: use letters, digits/],
    ['a name used twice', (c: LooseConfig) => (c.test[0].name = 'BARS'), /"BARS" is used twice/],
    ['no benchmark', (c: LooseConfig) => (c.test = []), /test: /],
    ['an image size not a multiple of 48', (c: LooseConfig) => (c.imageSize = 50), /imageSize/],
  ])('refuses %s, naming the field', (_label, edit, message) => {
    const cfg = minimal();
    edit(cfg);
    const text = configError(cfg);
    expect(text).toMatch(/^invalid sample config my\.json: /);
    expect(text).toMatch(message);
  });

  it('names the file when it is missing or not JSON', () => {
    expect(() => loadSampleConfig(join(dir, 'nope.json'))).toThrow(/cannot read sample config .*nope\.json: ENOENT/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "train": [ }');
    expect(() => loadSampleConfig(bad)).toThrow(/sample config .*bad\.json is not valid JSON/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(minimal()));
    expect(loadSampleConfig(good).train[0].name).toBe('bars');
  });

  it('refuses to write into a folder that holds something else, and a bad seed', async () => {
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    await expect(generateSample(other, { config: smallConfig() })).rejects.toThrow(/is not empty and holds no earlier sample/);
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('mine');
    await expect(generateSample(join(dir, 'x'), { seed: -1 })).rejects.toThrow(/seed must be an integer/);
    await expect(generateSample(join(dir, 'y'), { seed: 1.5 })).rejects.toThrow(/seed must be an integer/);
  });

  it('draws bigger images by enlarging without smoothing', async () => {
    const cfg = smallConfig();
    cfg.imageSize = 96;
    const out = join(dir, 'big');
    await generateSample(out, { config: cfg });
    const sharp = (await import('sharp')).default;
    const { data, info } = await sharp(join(out, 'images', 'bars_bars-0001.png')).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([96, 96]);
    // every 2×2 block is one colour
    for (let y = 0; y < 96; y += 2) {
      for (let x = 0; x < 96; x += 2) {
        const at = (dx: number, dy: number) => data.readUIntBE(((y + dy) * 96 + x + dx) * 3, 3);
        expect(new Set([at(0, 0), at(1, 0), at(0, 1), at(1, 1)]).size).toBe(1);
      }
    }
  });
});
