import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseSampleConfig, type SampleConfig } from '../../src-main/core/sample';
import type { CanonicalCotRecord } from '../../src-main/core/types';

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `dreamprm-${label}-`));
}

/** A sample of every task and pool, small enough for tests that do not measure statistics. */
export function smallConfig(): SampleConfig {
  return parseSampleConfig({
    train: [
      { name: 'bars', tasks: ['bars'], size: 24, k: 4 },
      { name: 'count', tasks: ['count'], size: 20, k: 2 },
      { name: 'gauge', tasks: ['gauge'], size: 16, k: 1 },
      { name: 'grid-web', tasks: ['grid'], size: 16, k: 3, corruptionRate: 0.5 },
      { name: 'compare', tasks: ['compare'], size: 12, k: 2, corruption: 'random', corruptionRate: 0.2 },
      { name: 'path', tasks: ['path'], size: 12, k: 2 },
    ],
    meta: { name: 'dev', tasks: ['bars', 'path'], size: 10 },
    test: [{ name: 'bench', tasks: ['count', 'gauge', 'grid'], questions: 6, candidates: 4 }],
  });
}

export function readCorpus(dir: string): CanonicalCotRecord[] {
  return readFileSync(join(dir, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as CanonicalCotRecord);
}

/** Every file under dir, as relative path → bytes. */
export function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}
