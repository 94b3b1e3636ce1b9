import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';
import type { Pool } from '../types';
import { buildSample, type SampleData, type SampleDomain } from './build';
import { defaultSampleConfig, parseSampleConfig, type SampleConfig } from './config';
import { encodePng } from './raster';
import { benchmarkStats, metaStats, trainStats } from './stats';

export const CORPUS_FILE = 'corpus.jsonl';
export const TRUTH_FILE = 'truth.json';
export const IMAGES_DIR = 'images';
/** Bumped whenever the same seed and config would give different data (invalidates caches). */
export const GENERATOR_VERSION = 'dreamprm-sample/5';

export interface GenerateSampleOptions {
  seed?: number;
  /** default: defaultSampleConfig() */
  config?: SampleConfig;
  /** called as the work advances, with a fraction in [0, 1] */
  onProgress?: (fraction: number, stage: string) => void;
}

export interface SampleDomainSummary {
  pool: Pool;
  cots: number;
  /** train domains: agreement of step labels with true step correctness; otherwise null */
  quality: number | null;
}

export interface SampleSummary {
  out: string;
  seed: number;
  corpus: string;
  truth: string;
  records: number;
  images: number;
  domains: Record<string, SampleDomainSummary>;
}

export const DEFAULT_SAMPLE_SEED = 1;

/**
 * Writes the built-in sample into `outDir`: images/*.png, corpus.jsonl (canonical records,
 * image paths relative to outDir) and truth.json. The same seed and config always give the
 * same bytes. A folder holding a previous sample is replaced; any other non-empty folder is
 * refused rather than mixed with.
 */
export async function generateSample(outDir: string, options: GenerateSampleOptions = {}): Promise<SampleSummary> {
  const seed = options.seed ?? DEFAULT_SAMPLE_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UserError(`sample seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
  const config = parseSampleConfig(options.config ?? defaultSampleConfig());
  const progress = options.onProgress ?? (() => {});
  checkOutDir(outDir); // before the work, not after it
  progress(0, 'generating');
  const data = buildSample(config, seed);
  return writeSample(outDir, data, (f, stage) => progress(0.3 + 0.7 * f, stage));
}

/** Writes generated data to a prepared folder (generateSample's second half; tests use it). */
export async function writeSample(
  outDir: string,
  data: SampleData,
  progress: (fraction: number, stage: string) => void = () => {},
): Promise<SampleSummary> {
  prepareOutDir(outDir);
  const images = await writeImages(outDir, data, data.config.imageSize, (f) => progress(0.95 * f, 'drawing images'));
  const lines = data.domains.flatMap((d) => d.cots.map((c) => JSON.stringify(c.record)));
  writeFileSync(join(outDir, CORPUS_FILE), lines.join('\n') + '\n');
  const truth = truthOf(data);
  writeFileSync(join(outDir, TRUTH_FILE), JSON.stringify(truth, null, 2) + '\n');
  progress(1, 'done');

  const domains: Record<string, SampleDomainSummary> = {};
  for (const d of data.domains) {
    domains[d.name] = { pool: d.pool, cots: d.cots.length, quality: d.pool === 'train' ? truth.quality[d.name] : null };
  }
  return {
    out: outDir,
    seed: data.seed,
    corpus: join(outDir, CORPUS_FILE),
    truth: join(outDir, TRUTH_FILE),
    records: lines.length,
    images,
    domains,
  };
}

/** Refuses a folder that holds something other than an earlier sample. */
function checkOutDir(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new UserError(`${outDir} is a file, not a folder; choose a folder for --out`);
  const entries = readdirSync(outDir);
  if (entries.length > 0 && !entries.includes(TRUTH_FILE)) {
    throw new UserError(
      `${outDir} is not empty and holds no earlier sample (no ${TRUTH_FILE}); choose an empty or new folder for --out`,
    );
  }
}

function prepareOutDir(outDir: string): void {
  checkOutDir(outDir);
  if (existsSync(outDir)) {
    // an earlier sample: replace it whole, so no stale image of a larger config survives
    rmSync(join(outDir, IMAGES_DIR), { recursive: true, force: true });
    rmSync(join(outDir, CORPUS_FILE), { force: true });
    rmSync(join(outDir, TRUTH_FILE), { force: true });
  }
  mkdirSync(join(outDir, IMAGES_DIR), { recursive: true });
}

async function writeImages(
  outDir: string,
  data: SampleData,
  size: number,
  progress: (fraction: number) => void,
): Promise<number> {
  const questions = data.domains.flatMap((d) => d.questions);
  const factor = size / 48;
  const batch = 64; // libvips works on its own threads; a bounded batch keeps memory flat
  for (let i = 0; i < questions.length; i += batch) {
    await Promise.all(
      questions.slice(i, i + batch).map(async (q) => {
        const png = await encodePng(q.canvas.upscale(factor));
        writeFileSync(join(outDir, q.image), png);
      }),
    );
    progress(Math.min(1, (i + batch) / questions.length));
  }
  return questions.length;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

function roundAll<T extends object>(stats: T): T {
  return Object.fromEntries(
    Object.entries(stats).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? round(v) : v]),
  ) as T;
}

/** truth.json: the knobs, and what the generator knows that the corpus does not say. */
export function truthOf(data: SampleData) {
  const domains: Record<string, Record<string, unknown>> = {};
  const quality: Record<string, number> = {};
  for (const d of data.domains) domains[d.name] = domainTruth(d, data.config);
  for (const d of data.config.train) quality[d.name] = domains[d.name].quality as number;
  return {
    generator: GENERATOR_VERSION,
    seed: data.seed,
    /** train domain → quality, the figure learned domain weights are compared with */
    quality,
    domains,
    config: data.config,
  };
}

function domainTruth(d: SampleDomain, config: SampleConfig): Record<string, unknown> {
  switch (d.pool) {
    case 'train': {
      const { name: _name, ...knobs } = config.train.find((t) => t.name === d.name)!;
      return { pool: d.pool, ...knobs, ...roundAll(trainStats(d)) };
    }
    case 'meta': {
      const { name: _name, ...knobs } = config.meta;
      return { pool: d.pool, ...knobs, ...roundAll(metaStats(d)) };
    }
    case 'test': {
      const { name: _name, ...knobs } = config.test.find((b) => b.name === d.name)!;
      return { pool: d.pool, ...knobs, ...roundAll(benchmarkStats(d)) };
    }
  }
}
