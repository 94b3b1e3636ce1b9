import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { splitMetaInput } from '../data/formats/dreamprm-meta';
import { finalAnswerOf } from '../data/split-steps';
import { UserError } from '../errors';
import type { Db } from '../store/db';
import { POOLS, type Pool } from '../types';
import { EXPORT_FORMATS, FILE_NAMES, type DreamprmMetaRow, type DreamprmTrainRow, type ExportFormat, type TrlRow } from './formats';
import { imagePaths, type ImageCounts, type ImageMode } from './image-files';
import { effectiveLabel, poolCots, type ExportCot } from './pool-reader';
import { loadWeights, type WeightSource } from './run-weights';

export interface ExportOptions {
  format: ExportFormat;
  outDir: string;
  /** the run whose learned weights go into `weight`; null: every weight is 1 */
  runId: number | null;
  images: ImageMode;
  /** default: train for the train formats, meta for dreamprm-meta */
  pool?: Pool;
  /** TRL's boolean step label: label >= threshold */
  labelThreshold?: number;
  /** replace existing output files */
  force?: boolean;
}

export interface ExportSummary {
  format: ExportFormat;
  pool: Pool;
  outDir: string;
  files: string[];
  /** CoTs written, and rows (steps for dreamprm-train, CoTs otherwise) */
  cots: number;
  rows: number;
  /** CoTs left out: a step without any label (train formats) or no correctness label (meta) */
  skipped: number;
  images: ImageCounts;
  weights: (WeightSource & { fromInstance: number; fromDomain: number; default: number }) | null;
  warnings: string[];
}

const MANIFEST = 'manifest.json';
const INDEX = 'index.jsonl';
const DEFAULT_POOL: Record<ExportFormat, Pool> = { 'dreamprm-train': 'train', trl: 'train', 'dreamprm-meta': 'meta' };
const MAX_WARNINGS = 20;
const STEP_MARKER = /^(?:#{1,6}\s*)?(?:\*\*)?step\s*\d+\b/i;

/**
 * Writes a pool for training elsewhere: the rows file of the format, `index.jsonl` (line i: the
 * store's ids of the i-th CoT written), `manifest.json` (format, run, domain weights, counts)
 * and, with images copied, `images/`. Files are written under temporary names and renamed
 * at the end, so a failed export leaves no half file behind.
 */
export function exportPool(db: Db, opts: ExportOptions): ExportSummary {
  if (!EXPORT_FORMATS.includes(opts.format)) {
    throw new UserError(`unknown export format "${opts.format}": use ${EXPORT_FORMATS.join(', ')}`);
  }
  if (opts.images !== 'copy' && opts.images !== 'reference') throw new UserError(`--images must be copy or reference, got "${String(opts.images)}"`);
  const pool = opts.pool ?? DEFAULT_POOL[opts.format];
  if (!POOLS.includes(pool)) throw new UserError(`unknown pool "${pool}": use train, meta or test`);
  const threshold = opts.labelThreshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) throw new UserError(`--label-threshold must be in [0, 1], got ${threshold}`);
  const outDir = resolve(opts.outDir);
  const target = join(outDir, FILE_NAMES[opts.format]);
  if (!opts.force && existsSync(target)) throw new UserError(`${target} exists: choose another --out folder, or --force to replace it`);
  mkdirSync(outDir, { recursive: true });

  const weights = loadWeights(db, opts.runId);
  const images = imagePaths(db, outDir, opts.images);
  const warnings: string[] = [];
  const warn = (w: string) => warnings.length < MAX_WARNINGS && warnings.push(w);
  const rowsFile = new TempFile(target, opts.format === 'trl' ? 'jsonl' : 'array');
  const indexFile = new TempFile(join(outDir, INDEX), 'jsonl');
  let cots = 0;
  let rows = 0;
  let skipped = 0;
  const questionIndex = new Map<number, number>();
  try {
    for (const c of poolCots(db, pool)) {
      // Paths are resolved (and images copied) only for CoTs that are written.
      const pathsOf = () => images.pathsOf(c.questionId);
      const single = (paths: string[]) => (paths.length === 1 ? paths[0] : paths);
      let written: object[];
      if (opts.format === 'dreamprm-meta') {
        if (c.correct === null) {
          skipped++;
          warn(`CoT ${c.cotExt} of question ${c.qid} (${c.domain}) has no correctness label: left out`);
          continue;
        }
        const qIndex = questionIndex.get(c.questionId) ?? questionIndex.size;
        questionIndex.set(c.questionId, qIndex);
        written = [metaRow(c, qIndex, single(pathsOf()), warn)];
      } else {
        const labels = c.steps.map(effectiveLabel);
        if (labels.some((l) => l === null)) {
          skipped++;
          warn(`CoT ${c.cotExt} of question ${c.qid} (${c.domain}) has steps without a label: left out (label it with \`dreamprm label\`)`);
          continue;
        }
        const w = Number(weights.weightOf(c.cotId, c.domain).toPrecision(7));
        const paths = pathsOf();
        written = opts.format === 'trl' ? [trlRow(c, labels as number[], threshold, w, paths)] : trainRows(c, cots, single(paths), w);
      }
      for (const r of written) rowsFile.add(r);
      indexFile.add({ cotId: c.cotId, questionId: c.questionId, domain: c.domain, qid: c.qid, cot: c.cotExt });
      cots++;
      rows += written.length;
    }
    if (!cots) {
      throw new UserError(
        `nothing to export: the ${pool} pool has no ${opts.format === 'dreamprm-meta' ? 'CoTs with a correctness label' : 'fully labelled CoTs'} in non-excluded domains` +
          (skipped ? ` (${skipped} CoTs left out; first: ${warnings[0]})` : ''),
      );
    }
    const summary: ExportSummary = {
      format: opts.format,
      pool,
      outDir,
      files: [target, join(outDir, INDEX), join(outDir, MANIFEST)],
      cots,
      rows,
      skipped,
      images: images.counts,
      weights: weights.source && {
        ...weights.source,
        fromInstance: weights.counts.instance,
        fromDomain: weights.counts.domain,
        default: weights.counts.default,
      },
      warnings,
    };
    if (weights.source && weights.source.status !== 'completed') {
      warnings.push(`run ${weights.source.runId} is ${weights.source.status}: its weights are from step ${weights.source.step}`);
    }
    if (weights.source?.perInstance && weights.counts.domain + weights.counts.default > 0) {
      warnings.push(`${weights.counts.domain + weights.counts.default} CoTs were not in run ${weights.source.runId}: they carry their domain's weight (or 1)`);
    }
    rowsFile.commit();
    indexFile.commit();
    const manifest = new TempFile(join(outDir, MANIFEST), 'raw');
    manifest.write(JSON.stringify({ ...summary, createdAt: new Date().toISOString(), labelThreshold: opts.format === 'trl' ? threshold : undefined }, null, 2) + '\n');
    manifest.commit();
    return summary;
  } finally {
    rowsFile.discard();
    indexFile.discard();
  }
}

/** Step prefixes as DreamPRM's train rows hold them: `add` grows by one step per row. */
function trainRows(c: ExportCot, id: number, imagePath: string | string[], weight: number): DreamprmTrainRow[] {
  let add = '';
  return c.steps.map((s, i) => {
    add = i ? `${add}\n\n${s.text}` : s.text;
    const times = s.k ?? 1;
    const accuracy = effectiveLabel(s)!;
    return {
      id,
      sid: i + 1,
      input: c.question,
      add,
      ground_truth: c.groundTruth,
      image_path: imagePath,
      dataset: c.domain,
      score: Math.round(accuracy * times * 1e6) / 1e6,
      times,
      accuracy,
      weight,
    };
  });
}

function trlRow(c: ExportCot, labels: number[], threshold: number, weight: number, images: string[]): TrlRow {
  return { prompt: c.question, completions: c.steps.map((s) => s.text), labels: labels.map((l) => l >= threshold), weight, images };
}

/**
 * DreamPRM's meta loader finds steps by their "Step N" markers and the last one's end by
 * "Final answer", so a step without a marker gets one and a missing final line is added.
 */
function metaRow(c: ExportCot, id: number, imagePath: string | string[], warn: (w: string) => void): DreamprmMetaRow {
  const steps = c.steps.map((s) => s.text);
  const last = steps.length - 1;
  const hasFinal = finalAnswerOf(steps[last]) !== undefined && !steps[last].includes('\n');
  const body = steps.map((t, i) => (i === last && hasFinal) || STEP_MARKER.test(t) ? t : `Step ${i + 1}: ${t}`);
  if (!hasFinal && c.answer) body.push(`Final answer: ${c.answer}`);
  // The importer (and a reader) take the question to end at its first blank line.
  const question = c.question.trim().replace(/\n[ \t]*\n+/g, '\n');
  const input = `${question}\n\n${body.join('\n\n')}`;
  if (splitMetaInput(input).question !== question) {
    warn(`question ${c.qid} (${c.domain}): its text has an "Options:" line before more text, so a reader may take part of it for the response`);
  }
  return { id, true_false: c.correct!, input, image_path: imagePath, dataset: c.domain, ground_truth: c.groundTruth };
}

/** An output file written under a temporary name, renamed into place on commit. */
class TempFile {
  private fd: number | null;
  private readonly tmp: string;
  private first = true;

  constructor(
    private readonly path: string,
    private readonly kind: 'array' | 'jsonl' | 'raw',
  ) {
    this.tmp = `${path}.partial`;
    this.fd = openSync(this.tmp, 'w');
    if (kind === 'array') this.write('[\n');
  }

  write(s: string): void {
    writeSync(this.fd!, s);
  }

  add(row: object): void {
    const json = JSON.stringify(row);
    if (this.kind === 'array') this.write(this.first ? json : `,\n${json}`);
    else this.write(`${json}\n`);
    this.first = false;
  }

  commit(): void {
    if (this.kind === 'array') this.write('\n]\n');
    closeSync(this.fd!);
    this.fd = null;
    renameSync(this.tmp, this.path);
  }

  discard(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }
}
