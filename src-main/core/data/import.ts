import { basename, dirname, extname, resolve } from 'node:path';
import { UserError } from '../errors';
import type { Db } from '../store/db';
import type { ImportFormat, ImportOptions, ImportProgress, ImportSummary, Pool } from '../types';
import { ConflictsRefused, conflictTarget } from './conflicts';
import { formatOfRecord, IMPORT_FORMATS, keysOf } from './detect-format';
import { adaptCanonical } from './formats/canonical';
import { adaptDreamPrmMeta } from './formats/dreamprm-meta';
import { adaptTrainRow, buildTrainCot, trainRowId, type TrainRow } from './formats/dreamprm-train';
import { adaptVisualPrm } from './formats/visualprm';
import { checkInputFile, checkOptions, type CheckedOptions } from './import-options';
import { ImportRefusedError, ImportTally, NOTHING_WRITTEN, StrictImportError } from './import-tally';
import { forEachLimited, resolveImage } from './images';
import type { RawRecord } from './json-array-scanner';
import type { AdaptContext, NormalizedCot } from './normalized';
import { RecordReader } from './record-reader';
import { Stage } from './stage';
import { describe, type Checked } from './validation';

export { ImportRefusedError, MAX_LISTED_ERRORS, StrictImportError } from './import-tally';

/** Records staged per transaction. */
const BATCH = 500;
const IMAGE_CONCURRENCY = 4;

const ADAPTERS: Record<Exclude<ImportFormat, 'dreamprm-train'>, (v: unknown, ctx: AdaptContext) => Checked<NormalizedCot>> = {
  jsonl: adaptCanonical,
  visualprm: adaptVisualPrm,
  'dreamprm-meta': adaptDreamPrmMeta,
};

/** Where each format keeps the question and its ground truth, for messages about them. */
const QUESTION_FIELDS: Record<ImportFormat, Record<string, string>> = {
  jsonl: { question: 'question', groundTruth: 'groundTruth' },
  'dreamprm-train': { question: 'input', groundTruth: 'ground_truth' },
  'dreamprm-meta': { question: 'input', groundTruth: 'ground_truth' },
  visualprm: { question: 'conversations', groundTruth: 'conversations' },
};

const DEFAULT_POOL: Record<ImportFormat, Pool> = {
  'dreamprm-train': 'train',
  'dreamprm-meta': 'meta',
  visualprm: 'train',
  jsonl: 'train',
};

/**
 * Imports one data file into the store. Streams the file (any size), validates every record,
 * skips invalid ones and groups them by reason, settles conflicts with stored data by
 * --on-conflict, and writes everything in one final transaction: a malformed file (or --strict
 * with any problem, or --on-conflict fail with a conflict) leaves the store exactly as it was.
 * Re-importing a file adds nothing: CoTs, questions and images are keyed by natural keys and
 * inserted only once. The summary's status tells complete, partial or failed.
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

/** The state of one import call. */
class ImportRun {
  readonly stage: Stage;
  private readonly reader: RecordReader;
  private readonly fileDir: string;
  private readonly fileStem: string;
  private format: ImportFormat | undefined;
  private readonly tally = new ImportTally();

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
      onProgress?.({ file: this.label, bytesRead: this.reader.bytesRead, bytesTotal: size, records: this.tally.records });
    }
    if (!this.format) throw new UserError(`${this.label}: no records: the file holds an empty array or only blank lines`);
    if (this.format === 'dreamprm-train') await this.buildTrainCots();
    const t = this.tally;
    if (this.opts.strict && t.strictProblems) {
      const n = t.strictProblems;
      const missing = t.missingImages ? `, ${t.missingImages} image${t.missingImages > 1 ? 's' : ''} missing` : '';
      throw new StrictImportError(
        `--strict: ${n} problem${n > 1 ? 's' : ''} in ${this.label} (${t.rejected} invalid of ${t.records} records${missing}); ` +
          `nothing was imported. First: ${t.firstProblem()}`,
        t.summary(this.label, this.format, NOTHING_WRITTEN, this.opts.onConflict, true),
      );
    }
    return this.commit(this.format);
  }

  /** --strict takes no partial result: a conflict that would skip records refuses the import. */
  private commit(format: ImportFormat): ImportSummary {
    const policy = this.opts.strict && this.opts.onConflict === 'keep' ? 'fail' : this.opts.onConflict;
    const { format: asked, domain, imagesDir, strict } = this.opts;
    const source = {
      path: this.absPath,
      sha256: this.reader.sha256(),
      format,
      pool: this.opts.pool ?? DEFAULT_POOL[format],
      options: { format: asked, domain, imagesDir, strict, onConflict: this.opts.onConflict },
    };
    try {
      const written = this.stage.commit(source, policy, (w) => this.tally.summary(this.label, format, w, policy));
      return this.tally.summary(this.label, format, written, policy);
    } catch (e) {
      if (!(e instanceof ConflictsRefused)) throw e;
      const first = e.conflicts[0];
      throw new ImportRefusedError(
        `${this.label}: ${e.message}${this.opts.strict ? ' (--strict)' : ' (--on-conflict fail)'}; nothing was imported. ` +
          `First: record ${first.first[0]}, ${conflictTarget(first)}: ${first.reason}. ` +
          "Use --on-conflict keep to skip those records, or --on-conflict replace to store the file's version",
        this.tally.summary(this.label, format, { ...NOTHING_WRITTEN, conflicts: e.conflicts }, policy, true),
      );
    }
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

  private context(record: number): AdaptContext {
    return { record: record, pool: this.opts.pool, domain: this.opts.domain, fileStem: this.fileStem };
  }

  private async process(batch: RawRecord[]): Promise<void> {
    this.tally.records += batch.length;
    const objects = batch.filter((r) => {
      if (typeof r.value === 'object' && r.value !== null && !Array.isArray(r.value)) return true;
      this.tally.reject(r.index, [{ field: '(record)', message: `is ${describe(r.value)}, not a JSON object` }]);
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
      else this.tally.reject(r.index, res.errors);
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
      for (const cot of cots) this.stageCot(cot);
    });
  }

  /** Stages one CoT; its image problems count only when the record itself is taken. */
  private stageCot(cot: NormalizedCot): void {
    const record = cot.records[0];
    const resolved = cot.images.map((img) => this.stage.cachedPath(img.path)!);
    const problem = this.stage.putCot(cot, resolved.map((r) => (r.status === 'ok' ? r.sha256 : null)));
    if (problem) {
      const field = QUESTION_FIELDS[this.format!][problem.field] ?? problem.field;
      this.tally.reject(record, [{ field, message: problem.message }]);
      return;
    }
    resolved.forEach((r, i) => {
      const img = cot.images[i];
      if (r.status === 'missing') this.tally.missing(record, img.field, img.path);
      else if (r.status !== 'ok') {
        if (r.status === 'refused') this.tally.refusedImages++;
        this.tally.error(record, img.field, `${r.message}; the record is imported without it`);
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
        this.tally.reject(r.index, res.errors);
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
      const skippedWith = (record: number, id: string) => ({ field: 'id', message: `skipped with its CoT: record ${record} of id ${describe(id)} is invalid` });
      if (bad) {
        for (const r of rows) this.tally.reject(r.record, [skippedWith(bad.record, r.id)]);
        continue;
      }
      const built = buildTrainCot(rows, ctx);
      if (!built.ok) {
        // Each row is skipped under its own error, or as part of the CoT of the first one.
        for (const r of rows) {
          const own = built.errors.filter((e) => e.record === r.record);
          this.tally.reject(r.record, own.length ? own : [skippedWith(built.errors[0].record, r.id)]);
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
