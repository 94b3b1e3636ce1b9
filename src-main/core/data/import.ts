import { stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { UserError } from '../errors';
import type { Db } from '../store/db';
import {
  POOLS,
  type ImportFormat,
  type ImportOptions,
  type ImportProgress,
  type ImportRecordError,
  type ImportSummary,
  type Pool,
} from '../types';
import { formatOfRecord, IMPORT_FORMATS, keysOf } from './detect-format';
import { adaptCanonical } from './formats/canonical';
import { adaptDreamPrmMeta } from './formats/dreamprm-meta';
import { adaptTrainRow, buildTrainCot, trainRowId, type TrainRow } from './formats/dreamprm-train';
import { adaptVisualPrm } from './formats/visualprm';
import { forEachLimited, resolveImage } from './images';
import type { RawRecord } from './json-array-scanner';
import type { AdaptContext, NormalizedCot } from './normalized';
import { RecordReader } from './record-reader';
import { Stage, type CommitCounts } from './stage';
import { describe, type Checked } from './validation';

/** Records staged per transaction. */
const BATCH = 500;
/** The summary lists at most this many errors; `rejected` always has the full count. */
export const MAX_LISTED_ERRORS = 1000;
const IMAGE_CONCURRENCY = 4;

/** --strict found problems: nothing was written. The summary says what they were. */
export class StrictImportError extends UserError {
  override name = 'StrictImportError';
  constructor(
    message: string,
    readonly summary: ImportSummary,
  ) {
    super(message);
  }
}

const ADAPTERS: Record<Exclude<ImportFormat, 'dreamprm-train'>, (v: unknown, ctx: AdaptContext) => Checked<NormalizedCot>> = {
  jsonl: adaptCanonical,
  visualprm: adaptVisualPrm,
  'dreamprm-meta': adaptDreamPrmMeta,
};

const DEFAULT_POOL: Record<ImportFormat, Pool> = {
  'dreamprm-train': 'train',
  'dreamprm-meta': 'meta',
  visualprm: 'train',
  jsonl: 'train',
};

/**
 * Imports one data file into the store. Streams the file (any size), validates every record,
 * skips and lists invalid ones, and writes everything in one final transaction: a malformed
 * file (or --strict with any problem) leaves the store exactly as it was. Re-importing a file
 * adds nothing: CoTs, questions and images are keyed by natural keys and inserted only once.
 */
export async function importFile(
  db: Db,
  path: string,
  options: ImportOptions = {},
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportSummary> {
  const opts = await checkOptions(options);
  const absPath = resolve(path);
  const size = await checkInputFile(absPath, path);
  const run = new ImportRun(db, path, absPath, opts);
  try {
    return await run.execute(size, onProgress);
  } finally {
    try {
      run.stage.dispose();
    } catch {
      // A stage that cannot be detached stays attached, empty of meaning, until the connection
      // closes; the import's own result or error is what matters to the caller.
    }
  }
}

interface CheckedOptions {
  format: ImportFormat | 'auto';
  pool?: Pool;
  domain?: string;
  imagesDir?: string;
  strict: boolean;
}

async function checkOptions(o: ImportOptions): Promise<CheckedOptions> {
  const format = o.format ?? 'auto';
  if (format !== 'auto' && !IMPORT_FORMATS.includes(format)) {
    throw new UserError(`unknown format ${describe(format)}: use auto, ${IMPORT_FORMATS.join(', ')}`);
  }
  if (o.pool !== undefined && !POOLS.includes(o.pool)) {
    throw new UserError(`unknown pool ${describe(o.pool)}: use train, meta or test`);
  }
  const domain = o.domain?.trim();
  if (o.domain !== undefined && !domain) throw new UserError('--domain is empty: give a domain name');
  let imagesDir: string | undefined;
  if (o.imagesDir !== undefined) {
    imagesDir = resolve(o.imagesDir);
    const st = await stat(imagesDir).catch(() => undefined);
    if (!st) throw new UserError(`images folder not found: ${o.imagesDir}`);
    if (!st.isDirectory()) throw new UserError(`--images ${o.imagesDir} is a file; give the folder that holds the images`);
  }
  return { format, pool: o.pool, domain, imagesDir, strict: o.strict ?? false };
}

async function checkInputFile(absPath: string, label: string): Promise<number> {
  try {
    const st = await stat(absPath);
    if (st.isDirectory()) throw new UserError(`${label} is a folder; give a data file (.json or .jsonl)`);
    return st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`file not found: ${label}`);
    throw new UserError(`cannot read ${label}: ${(e as Error).message}`);
  }
}

/** The state of one import call. */
class ImportRun {
  readonly stage: Stage;
  private readonly reader: RecordReader;
  private readonly fileDir: string;
  private readonly fileStem: string;
  private format: ImportFormat | undefined;
  private records = 0;
  private rejected = 0;
  private missingImages = 0;
  private problems = 0;
  private readonly errors: ImportRecordError[] = [];

  constructor(
    private readonly db: Db,
    private readonly label: string,
    private readonly absPath: string,
    private readonly opts: CheckedOptions,
  ) {
    this.reader = new RecordReader(absPath, label);
    this.fileDir = dirname(absPath);
    this.fileStem = basename(absPath, extname(absPath));
    this.stage = new Stage(db);
  }

  async execute(size: number, onProgress?: (p: ImportProgress) => void): Promise<ImportSummary> {
    for await (const batch of this.reader.batches()) {
      if (!this.format) this.format = this.detect(batch[0]);
      for (let i = 0; i < batch.length; i += BATCH) await this.process(batch.slice(i, i + BATCH));
      onProgress?.({ file: this.label, bytesRead: this.reader.bytesRead, bytesTotal: size, records: this.records });
    }
    if (!this.format) throw new UserError(`${this.label}: no records: the file holds an empty array or only blank lines`);
    if (this.format === 'dreamprm-train') await this.buildTrainCots();

    this.errors.sort((a, b) => a.record - b.record);
    const format = this.format;
    const empty = { questions: 0, cots: 0, steps: 0, imported: 0, domains: {} };
    if (this.opts.strict && this.problems) {
      const summary = this.summary(format, empty);
      const first = this.errors[0];
      throw new StrictImportError(
        `--strict: ${this.problems} problem${this.problems > 1 ? 's' : ''} in ${this.label} ` +
          `(${this.rejected} invalid of ${this.records} records); nothing was imported. ` +
          `First: record ${first.record}, ${first.field}: ${first.message}`,
        summary,
      );
    }
    const counts = this.stage.commit(
      {
        path: this.absPath,
        sha256: this.reader.sha256(),
        format,
        pool: this.opts.pool ?? DEFAULT_POOL[format],
        options: { format: this.opts.format, domain: this.opts.domain, imagesDir: this.opts.imagesDir, strict: this.opts.strict },
      },
      (c) => this.summary(format, c),
    );
    return this.summary(format, counts);
  }

  private summary(format: ImportFormat, c: Pick<CommitCounts, 'questions' | 'cots' | 'steps' | 'imported' | 'domains'>): ImportSummary {
    return {
      format,
      records: this.records,
      imported: c.imported,
      rejected: this.rejected,
      questions: c.questions,
      cots: c.cots,
      steps: c.steps,
      domains: c.domains,
      missingImages: this.missingImages,
      errors: this.errors,
    };
  }

  /** Picks (or checks) the format from the first record. */
  private detect(first: RawRecord): ImportFormat {
    const where = `${this.label}:${first.line}:${first.column}`;
    if (typeof first.value !== 'object' || first.value === null || Array.isArray(first.value)) {
      throw new UserError(`${where}: record 1 is ${describe(first.value)}, not a JSON object: expected one object per record`);
    }
    const seen = formatOfRecord(first.value);
    const asked = this.opts.format;
    if (asked !== 'auto') {
      if (seen && seen !== asked) {
        throw new UserError(
          `${where}: --format ${asked} does not match the content: record 1 looks like ${seen} ` +
            `(${keysOf(first.value)}); use --format ${seen} or --format auto`,
        );
      }
      return asked;
    }
    if (seen) return seen;
    if (this.reader.container === 'jsonl' && extname(this.absPath).toLowerCase() === '.jsonl') return 'jsonl';
    throw new UserError(
      `${where}: cannot tell the format from record 1 (${keysOf(first.value)}); ` +
        `pass --format ${IMPORT_FORMATS.join('|')} (README, "Data formats")`,
    );
  }

  private error(record: number, field: string, message: string): void {
    this.problems++;
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ record, field, message });
  }

  private reject(record: number, errors: { field: string; message: string }[]): void {
    this.rejected++;
    for (const e of errors) this.error(record, e.field, e.message);
  }

  private context(record: number): AdaptContext {
    return { record: record, pool: this.opts.pool, domain: this.opts.domain, fileStem: this.fileStem };
  }

  private async process(batch: RawRecord[]): Promise<void> {
    this.records += batch.length;
    const objects = batch.filter((r) => {
      if (typeof r.value === 'object' && r.value !== null && !Array.isArray(r.value)) return true;
      this.reject(r.index, [{ field: '(record)', message: `is ${describe(r.value)}, not a JSON object` }]);
      return false;
    });
    if (this.format === 'dreamprm-train') {
      this.stageTrainRows(objects);
      return;
    }
    const adapt = ADAPTERS[this.format!];
    const cots: NormalizedCot[] = [];
    for (const r of objects) {
      const res = adapt(r.value, this.context(r.index));
      if (res.ok) cots.push(res.value);
      else this.reject(r.index, res.errors);
    }
    await this.stageCots(cots);
  }

  /** Resolves the batch's images (a few at a time), then stages its CoTs in one transaction. */
  private async stageCots(cots: NormalizedCot[]): Promise<void> {
    const paths = [...new Set(cots.flatMap((c) => c.images.map((i) => i.path)))].filter(
      (p) => !this.stage.cachedPath(p),
    );
    const found = new Map<string, Awaited<ReturnType<typeof resolveImage>>>();
    await forEachLimited(paths, IMAGE_CONCURRENCY, async (p) => {
      found.set(p, await resolveImage(p, this.fileDir, this.opts.imagesDir, (sha) => this.stage.isImageKnown(sha)));
    });
    this.stage.batch(() => {
      for (const [p, r] of found) this.stage.cachePath(p, r);
      for (const cot of cots) {
        const record = cot.records[0];
        const shas = cot.images.map((img) => {
          const r = this.stage.cachedPath(img.path)!;
          if (r.status === 'ok') return r.sha256;
          if (r.status === 'missing') this.missingImages++;
          else this.error(record, img.field, `${r.message}; the record is imported without it`);
          return null;
        });
        if (!this.stage.putCot(cot, shas)) {
          this.reject(record, [{ field: 'cotId', message: `${describe(cot.cotId)} repeats an earlier CoT id of question ${describe(cot.qid)}` }]);
        }
      }
    });
  }

  private stageTrainRows(objects: RawRecord[]): void {
    this.stage.batch(() => {
      for (const r of objects) {
        const res = adaptTrainRow(r.value, this.context(r.index));
        if (res.ok) {
          const row = res.value;
          this.stage.putTrainRow({ key: row.id, sid: row.sid, record: r.index, bad: 0, payload: JSON.stringify(row) });
          continue;
        }
        this.reject(r.index, res.errors);
        // Remember the id, so the rest of this CoT is rejected with it: never half a CoT.
        const id = trainRowId(r.value);
        if (id !== undefined) this.stage.putTrainRow({ key: id, sid: -1, record: r.index, bad: 1, payload: '' });
      }
    });
  }

  /** After the whole file is read: assembles each id's rows into one CoT. */
  private async buildTrainCots(): Promise<void> {
    const ctx = { pool: this.opts.pool, domain: this.opts.domain, fileStem: this.fileStem };
    let pending: NormalizedCot[] = [];
    for (const group of this.stage.trainGroups()) {
      const bad = group.find((r) => r.bad);
      const rows = group.filter((r) => !r.bad).map((r) => JSON.parse(r.payload) as TrainRow);
      if (bad) {
        for (const r of rows) this.reject(r.record, [{ field: 'id', message: `skipped with its CoT: record ${bad.record} of id ${describe(r.id)} is invalid` }]);
        continue;
      }
      const built = buildTrainCot(rows, ctx);
      if (!built.ok) {
        const named = new Set(built.errors.map((e) => e.record));
        for (const e of built.errors) this.error(e.record, e.field, e.message);
        for (const r of rows) {
          this.rejected++;
          if (!named.has(r.record)) {
            this.error(r.record, 'id', `skipped with its CoT: record ${built.errors[0].record} of id ${describe(r.id)} is invalid`);
          }
        }
        continue;
      }
      pending.push(built.cot);
      if (pending.length >= BATCH) {
        await this.stageCots(pending);
        pending = [];
      }
    }
    if (pending.length) await this.stageCots(pending);
  }
}
