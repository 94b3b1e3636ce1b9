import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSample } from '../../src-main/core/sample';
import { filesOf, readCorpus, smallConfig, tempDir } from './helpers';

const dirs: string[] = [];
const fresh = (label: string) => {
  const d = tempDir(label);
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('sample determinism', () => {
  it('writes byte-identical files for the same seed and config', async () => {
    const config = smallConfig();
    const a = fresh('det-a');
    const b = fresh('det-b');
    await generateSample(a, { seed: 7, config });
    await generateSample(b, { seed: 7, config });
    const fa = filesOf(a);
    const fb = filesOf(b);
    expect([...fa.keys()]).toEqual([...fb.keys()]);
    expect(fa.size).toBeGreaterThan(50);
    for (const [path, bytes] of fa) expect(bytes.equals(fb.get(path)!), path).toBe(true);
  });

  it('gives different data for another seed', async () => {
    const config = smallConfig();
    const a = fresh('seed-a');
    const b = fresh('seed-b');
    await generateSample(a, { seed: 1, config });
    await generateSample(b, { seed: 2, config });
    const fa = filesOf(a);
    const fb = filesOf(b);
    expect(fa.get('corpus.jsonl')!.equals(fb.get('corpus.jsonl')!)).toBe(false);
    const sameImages = [...fa].filter(([p, bytes]) => p.startsWith('images/') && fb.get(p)?.equals(bytes)).length;
    // a few tiny images may coincide by chance; most must differ
    expect(sameImages).toBeLessThan(fa.size / 10);
  });

  it('keeps a domain unchanged when another domain of the config changes', async () => {
    const base = smallConfig();
    const edited = smallConfig();
    edited.train[1].size = 40; // count
    edited.train[5].k = 8; // path
    const a = fresh('edit-a');
    const b = fresh('edit-b');
    await generateSample(a, { seed: 3, config: base });
    await generateSample(b, { seed: 3, config: edited });
    const pick = (dir: string, domain: string) => readCorpus(dir).filter((r) => r.domain === domain);
    expect(pick(b, 'bars')).toEqual(pick(a, 'bars'));
    expect(pick(b, 'bench')).toEqual(pick(a, 'bench'));
    expect(pick(b, 'count')).not.toEqual(pick(a, 'count'));
  });

  it('replaces an earlier sample in the same folder without leaving stale images', async () => {
    const dir = fresh('replace');
    await generateSample(dir, { seed: 1, config: smallConfig() });
    const small = smallConfig();
    small.train = small.train.slice(0, 1);
    const s = await generateSample(dir, { seed: 1, config: small });
    expect(readdirSync(join(dir, 'images')).length).toBe(s.images);
    expect(existsSync(join(dir, 'truth.json'))).toBe(true);
  });
});
