import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { importFile } from '../data/import';
import { UserError } from '../errors';
import { CORPUS_FILE, GENERATOR_VERSION, generateSample, TRUTH_FILE } from './generate';
import type { Db } from '../store/db';
import type { SampleConfig } from './config';
import type { ImportProgress, ImportSummary } from '../types';

/**
 * Where the built-in sample of a seed is cached: beside the database it was loaded into. A
 * sample of another layout (a config file) is cached under a hash of that config.
 */
export function sampleDirFor(dbPath: string, seed: number, config?: SampleConfig): string {
  const base = dbPath === ':memory:' ? join(tmpdir(), 'dreamprm-sample') : join(resolve(dirname(dbPath)), 'sample');
  const layout = config ? `-${createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12)}` : '';
  return join(base, `seed-${seed}${layout}`);
}

/** A folder already holds this generator's sample for this seed (and layout). */
export function sampleCached(dir: string, seed: number, config?: SampleConfig): boolean {
  if (!existsSync(join(dir, CORPUS_FILE)) || !existsSync(join(dir, TRUTH_FILE))) return false;
  try {
    const truth = JSON.parse(readFileSync(join(dir, TRUTH_FILE), 'utf8')) as { generator?: string; seed?: number; config?: unknown };
    const sameLayout = !config || JSON.stringify(truth.config) === JSON.stringify(config);
    return truth.generator === GENERATOR_VERSION && truth.seed === seed && sameLayout;
  } catch {
    return false;
  }
}

export interface LoadedSample {
  dir: string;
  summary: ImportSummary;
  /** true when this call imported nothing new */
  alreadyLoaded: boolean;
}

/**
 * Generates the built-in sample once per seed (cached beside the database) and imports it.
 * Importing is idempotent, so calling this again costs a re-read and adds nothing.
 */
export async function loadBuiltInSample(
  db: Db,
  dbPath: string,
  seed: number,
  onProgress?: (phase: 'generating' | 'importing', fraction: number, detail?: ImportProgress) => void,
  config?: SampleConfig,
): Promise<LoadedSample> {
  const dir = sampleDirFor(dbPath, seed, config);
  if (!sampleCached(dir, seed, config)) {
    await generateSample(dir, { seed, config, onProgress: (f) => onProgress?.('generating', f) });
  }
  const summary = await importFile(db, join(dir, CORPUS_FILE), { format: 'jsonl' }, (p) =>
    onProgress?.('importing', p.bytesTotal ? p.bytesRead / p.bytesTotal : 0, p),
  );
  return { dir, summary, alreadyLoaded: summary.cots === 0 && summary.rejected === 0 };
}

/**
 * The demo trains on every non-excluded domain of the database, so it refuses a database that
 * holds anything but this seed's sample rather than mixing the two.
 */
export function assertOnlySample(db: Db, sampleDir: string): void {
  const corpus = join(sampleDir, CORPUS_FILE);
  const foreign = db
    .prepare(
      `SELECT DISTINCT d.name, d.pool FROM cots c
         JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
         LEFT JOIN sources s ON s.id = c.source_id
        WHERE d.excluded = 0 AND (s.path IS NULL OR s.path <> ?)
        LIMIT 5`,
    )
    .all(corpus) as { name: string; pool: string }[];
  if (foreign.length) {
    const list = foreign.map((f) => `${f.name} (${f.pool})`).join(', ');
    throw new UserError(
      `the database holds data besides the built-in sample in ${sampleDir}: ${list}. ` +
        'The demo trains on every domain it finds, so run it on its own database: dreamprm demo --db PATH',
    );
  }
}
