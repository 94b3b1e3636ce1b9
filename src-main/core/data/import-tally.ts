/** What one import found, record by record, and the summary (with its status) made of it. */
import { UserError } from '../errors';
import type { ConflictPolicy, ImportFormat, ImportRecordError, ImportStatus, ImportSummary } from '../types';
import type { CommitCounts } from './commit';
import { FIRST_RECORDS, reasonOf, RecordTally } from './record-groups';
import type { FieldError } from './validation';

/** The summary lists at most this many errors; `rejected` always has the full count. */
export const MAX_LISTED_ERRORS = 1000;

/** Nothing was written (--strict, or --on-conflict fail): the summary says why. */
export class ImportRefusedError extends UserError {
  override name = 'ImportRefusedError';
  constructor(
    message: string,
    readonly summary: ImportSummary,
  ) {
    super(message);
  }
}

/** --strict found problems: nothing was written. */
export class StrictImportError extends ImportRefusedError {
  override name = 'StrictImportError';
}

/** What the final copy did, as far as the summary tells it. */
export type Written = Omit<CommitCounts, 'sourceId'>;

export const NOTHING_WRITTEN: Written = {
  questions: 0,
  cots: 0,
  steps: 0,
  imported: 0,
  domains: {},
  conflicts: [],
  conflictSkipped: new RecordTally(),
};

export class ImportTally {
  records = 0;
  rejected = 0;
  missingImages = 0;
  refusedImages = 0;
  /** every listed problem, including those past MAX_LISTED_ERRORS */
  problems = 0;
  readonly errors: ImportRecordError[] = [];
  private readonly skipped = new RecordTally();
  private readonly missingExamples: ImportSummary['missingImageExamples'] = [];

  error(record: number, field: string, message: string): void {
    this.problems++;
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ record, field, message });
  }

  /** An invalid record, skipped; it is grouped by its first error. */
  reject(record: number, errors: FieldError[]): void {
    this.rejected++;
    this.skipped.add(reasonOf(errors[0].field, errors[0].message), record);
    for (const e of errors) this.error(record, e.field, e.message);
  }

  missing(record: number, field: string, path: string): void {
    this.missingImages++;
    if (this.missingExamples.length < FIRST_RECORDS) this.missingExamples.push({ record, field, path });
  }

  /** Whether --strict must refuse: anything that would make the import partial. */
  get strictProblems(): number {
    return this.problems + this.missingImages;
  }

  /** The first problem, for a one-line message. */
  firstProblem(): string {
    const e = [...this.errors].sort((a, b) => a.record - b.record)[0];
    if (e) return `record ${e.record}, ${e.field}: ${e.message}`;
    const m = this.missingExamples[0];
    return m ? `record ${m.record}, ${m.field}: image file not found: ${m.path}` : 'none';
  }

  summary(file: string, format: ImportFormat, w: Written, onConflict: ConflictPolicy, refused = false): ImportSummary {
    this.errors.sort((a, b) => a.record - b.record);
    const skipped = new RecordTally();
    for (const g of [...this.skipped.list(), ...w.conflictSkipped.list()]) skipped.addGroup(g.reason, g.count, g.first);
    return {
      file,
      format,
      records: this.records,
      imported: w.imported,
      rejected: this.rejected,
      questions: w.questions,
      cots: w.cots,
      steps: w.steps,
      domains: w.domains,
      missingImages: this.missingImages,
      refusedImages: this.refusedImages,
      errors: this.errors,
      status: this.status(skipped.total, refused),
      skipped: skipped.list(),
      conflicts: w.conflicts,
      onConflict,
      missingImageExamples: this.missingExamples,
    };
  }

  private status(notTaken: number, refused: boolean): ImportStatus {
    if (refused || (this.records > 0 && notTaken >= this.records)) return 'failed';
    if (notTaken || this.missingImages || this.refusedImages) return 'partial';
    return 'complete';
  }
}
