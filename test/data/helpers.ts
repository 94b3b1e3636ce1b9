import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, beforeEach } from 'vitest';
import { openDb, type Db } from '../../src-main/core/store/db';
import type { CanonicalCotRecord } from '../../src-main/core/types';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = join(repoRoot, 'test/data/fixtures');
/** Real data shared by the team, beside the repository (absent on some machines). */
export const sharedFixtures = resolve(repoRoot, '../shared/fixtures');

export function memoryDb(): Db {
  return openDb(':memory:');
}

/** A scratch folder, removed by the returned cleanup function. */
export function scratchDir(): { dir: string; file: (name: string, content: string | Buffer) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dreamprm-data-'));
  return {
    dir,
    file: (name, content) => {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A tiny solid-colour PNG. */
export function png(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}

export function canonical(overrides: Partial<CanonicalCotRecord> = {}): CanonicalCotRecord {
  return {
    qid: 'q1',
    question: 'What is 2 + 3?',
    domain: 'arith',
    steps: [
      { text: '2 + 3 = 5', m: 0.75, k: 4 },
      { text: 'Answer: 5', m: 1, k: 4 },
    ],
    answer: '5',
    correct: true,
    ...overrides,
  };
}

export function jsonl(records: unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export function count(db: Db, table: string): number {
  return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

/** For each test of the calling file: a new in-memory store and scratch folder, closed and removed after it. */
export function storeEachTest(): { db: Db; tmp: ReturnType<typeof scratchDir> } {
  const ctx = {} as { db: Db; tmp: ReturnType<typeof scratchDir> };
  beforeEach(() => {
    ctx.db = memoryDb();
    ctx.tmp = scratchDir();
  });
  afterEach(() => {
    ctx.db.close();
    ctx.tmp.cleanup();
  });
  return ctx;
}
