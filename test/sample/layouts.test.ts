/**
 * The held-out sample layout (test/fixtures/sample-layouts/twelve-sources.json): label quality
 * must not stand in for how learnable a task is, so every task has a clean and a noisy source.
 * `dreamprm demo --layout` runs the method on it; this checks the layout is what it claims.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSample, loadSampleConfig, parseSampleConfig, TRUTH_FILE } from '../../src-main/core/sample';
import { tempDir } from './helpers';

const FILE = join(__dirname, '..', 'fixtures', 'sample-layouts', 'twelve-sources.json');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the twelve-sources layout', () => {
  it('gives each of the six tasks exactly two single-task sources', () => {
    const config = loadSampleConfig(FILE);
    const byTask = new Map<string, number>();
    for (const d of config.train) {
      expect(d.tasks, d.name).toHaveLength(1);
      byTask.set(d.tasks[0], (byTask.get(d.tasks[0]) ?? 0) + 1);
    }
    expect(Object.fromEntries(byTask)).toEqual({ bars: 2, count: 2, gauge: 2, grid: 2, compare: 2, path: 2 });
  });

  it('measures two different label qualities within every task in truth.json (scaled down)', async () => {
    const full = loadSampleConfig(FILE);
    const small = parseSampleConfig({
      ...full,
      train: full.train.map((d) => ({ ...d, size: 60 })),
      meta: { ...full.meta, size: 12 },
      test: full.test.map((t) => ({ ...t, questions: 6 })),
    });
    const dir = tempDir('layout');
    dirs.push(dir);
    await generateSample(dir, { seed: 3, config: small });
    const truth = JSON.parse(readFileSync(join(dir, TRUTH_FILE), 'utf8')) as { quality: Record<string, number> };
    for (const task of ['bars', 'count', 'gauge', 'grid', 'compare', 'path']) {
      const [a, b] = small.train.filter((d) => d.tasks.includes(task as never));
      expect(Math.abs(truth.quality[a.name] - truth.quality[b.name]), `${a.name} vs ${b.name}`).toBeGreaterThanOrEqual(0.05);
    }
  });
});
