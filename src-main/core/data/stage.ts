import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db';
import type { ConflictPolicy } from '../types';
import { commitStage, type CommitCounts, type NewSource } from './commit';
import type { DecodedImage, ImageResolution } from './images';
import type { NormalizedCot } from './normalized';
import { describe, type FieldError } from './validation';

let stageCounter = 0;

export type { CommitCounts, NewSource } from './commit';

export interface StagedTrainRow {
  key: string;
  sid: number;
  record: number;
  bad: number;
  payload: string;
}

/**
 * A private scratch database attached to the connection for one import. Records are written
 * here in batches as the file streams in; `commit` then copies them into the store in one
 * transaction. A fatal error or a --strict rejection just drops the stage, so an import is
 * all or nothing and never leaves half a record behind. The stage lives on disk (SQLite temp
 * file), so a multi-gigabyte import does not need the memory to hold it.
 */
export class Stage {
  readonly schema = `stage_${process.pid}_${++stageCounter}`;
  private readonly s: Record<string, Statement<unknown[], unknown>>;
  private closed = false;

  constructor(private readonly db: Db) {
    const x = this.schema;
    db.exec(`ATTACH DATABASE '' AS ${x}`);
    db.exec(`
      PRAGMA ${x}.journal_mode = OFF;
      PRAGMA ${x}.synchronous = OFF;
      CREATE TABLE ${x}.questions (qkey TEXT PRIMARY KEY, domain TEXT NOT NULL, pool TEXT NOT NULL,
        ext_id TEXT NOT NULL, text TEXT NOT NULL, answer TEXT, record INTEGER NOT NULL, task TEXT);
      CREATE TABLE ${x}.q_images (qkey TEXT NOT NULL, ord INTEGER NOT NULL, sha256 TEXT, path TEXT NOT NULL,
        PRIMARY KEY (qkey, ord));
      CREATE TABLE ${x}.cots (id INTEGER PRIMARY KEY, qkey TEXT NOT NULL, ext_id TEXT NOT NULL, answer TEXT,
        correct INTEGER, n_steps INTEGER NOT NULL, n_records INTEGER NOT NULL, record INTEGER NOT NULL,
        UNIQUE (qkey, ext_id));
      CREATE TABLE ${x}.steps (cot_id INTEGER NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL, mc REAL,
        k INTEGER, human INTEGER, vector BLOB, PRIMARY KEY (cot_id, idx)) WITHOUT ROWID;
      CREATE TABLE ${x}.images (sha256 TEXT PRIMARY KEY, mime TEXT NOT NULL, width INTEGER NOT NULL,
        height INTEGER NOT NULL, bytes BLOB NOT NULL, thumb BLOB NOT NULL);
      CREATE TABLE ${x}.image_paths (path TEXT PRIMARY KEY, status TEXT NOT NULL, sha256 TEXT, message TEXT);
      CREATE TABLE ${x}.train_rows (key TEXT NOT NULL, sid INTEGER NOT NULL, record INTEGER NOT NULL,
        bad INTEGER NOT NULL, payload TEXT NOT NULL);
      CREATE INDEX ${x}.train_rows_order ON train_rows (key, sid, record);
      CREATE TABLE ${x}.cot_map (stage_id INTEGER PRIMARY KEY, cot_id INTEGER NOT NULL);
    `);
    this.s = {
      question: db.prepare(`INSERT OR IGNORE INTO ${x}.questions VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      stagedQuestion: db.prepare(`SELECT text, answer, record FROM ${x}.questions WHERE qkey = ?`),
      fillAnswer: db.prepare(`UPDATE ${x}.questions SET answer = ? WHERE qkey = ? AND answer IS NULL`),
      qImage: db.prepare(`INSERT OR IGNORE INTO ${x}.q_images VALUES (?, ?, ?, ?)`),
      cot: db.prepare(
        `INSERT OR IGNORE INTO ${x}.cots (qkey, ext_id, answer, correct, n_steps, n_records, record) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      step: db.prepare(`INSERT INTO ${x}.steps VALUES (?, ?, ?, ?, ?, ?, ?)`),
      image: db.prepare(`INSERT OR IGNORE INTO ${x}.images VALUES (?, ?, ?, ?, ?, ?)`),
      stagedImage: db.prepare(`SELECT 1 FROM ${x}.images WHERE sha256 = ?`).pluck(),
      storedImage: db.prepare('SELECT 1 FROM main.images WHERE sha256 = ?').pluck(),
      getPath: db.prepare(`SELECT status, sha256, message FROM ${x}.image_paths WHERE path = ?`),
      setPath: db.prepare(`INSERT OR REPLACE INTO ${x}.image_paths VALUES (?, ?, ?, ?)`),
      trainRow: db.prepare(`INSERT INTO ${x}.train_rows VALUES (?, ?, ?, ?, ?)`),
      trainPage: db.prepare(
        `SELECT key, sid, record, bad, payload FROM ${x}.train_rows WHERE (key, sid, record) > (?, ?, ?)
         ORDER BY key, sid, record LIMIT ?`,
      ),
    };
  }

  /** Runs staging writes in one transaction (a batch of records). */
  batch<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  isImageKnown(sha256: string): boolean {
    return this.s.stagedImage.get(sha256) !== undefined || this.s.storedImage.get(sha256) !== undefined;
  }

  cachedPath(path: string): ImageResolution | undefined {
    const row = this.s.getPath.get(path) as { status: string; sha256: string | null; message: string | null } | undefined;
    if (!row) return undefined;
    if (row.status === 'ok') return { status: 'ok', sha256: row.sha256! };
    if (row.status === 'bad' || row.status === 'refused') return { status: row.status, message: row.message ?? 'unreadable image' };
    return { status: 'missing' };
  }

  cachePath(path: string, r: ImageResolution): void {
    if (r.status === 'ok' && r.image) this.putImage(r.image);
    this.s.setPath.run(path, r.status, r.status === 'ok' ? r.sha256 : null, 'message' in r ? r.message : null);
  }

  private putImage(img: DecodedImage): void {
    this.s.image.run(img.sha256, img.mime, img.width, img.height, img.bytes, img.thumb);
  }

  /**
   * Stages one CoT with its question. Returns the problem when the record cannot be staged: its
   * CoT id repeats within this file, or its question (same qid in the same domain and pool)
   * says something else than an earlier record's. Identical CoTs without an id are kept apart
   * by a counter in their key, so a file's duplicates all count, and re-importing the file maps
   * them to the same keys again.
   */
  putCot(cot: NormalizedCot, imageShas: (string | null)[]): FieldError | null {
    const qkey = `${cot.pool}\u0000${cot.domain}\u0000${cot.qid}`;
    const record = cot.records[0];
    if (!this.s.question.run(qkey, cot.domain, cot.pool, cot.qid, cot.question, cot.groundTruth, record, cot.task).changes) {
      const problem = this.questionDiffers(qkey, cot);
      if (problem) return problem;
    }
    cot.images.forEach((img, i) => this.s.qImage.run(qkey, i, imageShas[i], img.path));

    const base = cot.cotId ?? contentKey(cot);
    const args: unknown[] = [cot.answer, cot.correct === null ? null : Number(cot.correct), cot.steps.length, cot.records.length, record];
    let info = this.s.cot.run(qkey, base, ...args);
    if (!info.changes && cot.cotId !== null) {
      return { field: 'cotId', message: `${describe(cot.cotId)} repeats an earlier CoT id of question ${describe(cot.qid)}` };
    }
    for (let n = 2; !info.changes; n++) info = this.s.cot.run(qkey, `${base}-${n}`, ...args);
    const id = info.lastInsertRowid;
    cot.steps.forEach((s, i) =>
      this.s.step.run(id, i, s.text, s.mc, s.k, s.human, s.vector ? Buffer.from(new Float32Array(s.vector).buffer) : null),
    );
    return null;
  }

  /** An earlier record of this file staged the question: the two must agree (a missing ground truth is filled in). */
  private questionDiffers(qkey: string, cot: NormalizedCot): FieldError | null {
    const first = this.s.stagedQuestion.get(qkey) as { text: string; answer: string | null; record: number };
    const where = `record ${first.record}, the first of question ${describe(cot.qid)}`;
    if (first.text !== cot.question) {
      return { field: 'question', message: `differs from the question text in ${where}: one qid, two questions; give one of them another qid` };
    }
    if (cot.groundTruth !== null && first.answer !== null && first.answer !== cot.groundTruth) {
      return { field: 'groundTruth', message: `${describe(cot.groundTruth)} differs from ${describe(first.answer)} in ${where}` };
    }
    if (cot.groundTruth !== null) this.s.fillAnswer.run(cot.groundTruth, qkey);
    return null;
  }

  putTrainRow(row: StagedTrainRow): void {
    this.s.trainRow.run(row.key, row.sid, row.record, row.bad, row.payload);
  }

  /** All staged train rows grouped by key, in (key, sid, record) order, a page at a time. */
  *trainGroups(pageSize = 5000): Generator<StagedTrainRow[]> {
    let after: [string, number, number] = ['', -1, -1];
    let group: StagedTrainRow[] = [];
    for (;;) {
      const page = this.s.trainPage.all(...after, pageSize) as StagedTrainRow[];
      for (const r of page) {
        if (group.length && group[0].key !== r.key) {
          yield group;
          group = [];
        }
        group.push(r);
      }
      if (page.length < pageSize) break;
      const last = page[page.length - 1];
      after = [last.key, last.sid, last.record];
    }
    if (group.length) yield group;
  }

  /** Copies the staged data into the store in one write transaction (commit.ts). */
  commit(source: NewSource, policy: ConflictPolicy, summarize: (counts: CommitCounts) => unknown): CommitCounts {
    return commitStage(this.db, this.schema, source, policy, summarize);
  }

  /** Drops the stage. Safe to call twice. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.exec(`DETACH DATABASE ${this.schema}`);
  }
}

/** A CoT's key when the data gives none: a hash of its steps and answer. */
export function contentKey(cot: NormalizedCot): string {
  const h = createHash('sha256');
  for (const s of cot.steps) h.update(s.text).update('\u001e');
  h.update('\u001d').update(cot.answer ?? '');
  return h.digest('hex').slice(0, 16);
}
