import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db';
import type { ImportFormat, Pool } from '../types';
import type { DecodedImage, ImageResolution } from './images';
import type { NormalizedCot } from './normalized';

let stageCounter = 0;

/** What the final copy added to the store. */
export interface CommitCounts {
  sourceId: number;
  questions: number;
  cots: number;
  steps: number;
  /** input records behind the CoTs that were new */
  imported: number;
  domains: Record<string, number>;
}

export interface SourceInfo {
  path: string;
  sha256: string;
  format: ImportFormat;
  pool: Pool;
  options: Record<string, unknown>;
}

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
        ext_id TEXT NOT NULL, text TEXT NOT NULL, answer TEXT);
      CREATE TABLE ${x}.q_images (qkey TEXT NOT NULL, ord INTEGER NOT NULL, sha256 TEXT, path TEXT NOT NULL,
        PRIMARY KEY (qkey, ord));
      CREATE TABLE ${x}.cots (id INTEGER PRIMARY KEY, qkey TEXT NOT NULL, ext_id TEXT NOT NULL, answer TEXT,
        correct INTEGER, n_steps INTEGER NOT NULL, n_records INTEGER NOT NULL, UNIQUE (qkey, ext_id));
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
      question: db.prepare(`INSERT OR IGNORE INTO ${x}.questions VALUES (?, ?, ?, ?, ?, ?)`),
      qImage: db.prepare(`INSERT OR IGNORE INTO ${x}.q_images VALUES (?, ?, ?, ?)`),
      cot: db.prepare(`INSERT OR IGNORE INTO ${x}.cots (qkey, ext_id, answer, correct, n_steps, n_records) VALUES (?, ?, ?, ?, ?, ?)`),
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
    if (row.status === 'bad') return { status: 'bad', message: row.message ?? 'unreadable image' };
    return { status: 'missing' };
  }

  cachePath(path: string, r: ImageResolution): void {
    if (r.status === 'ok' && r.image) this.putImage(r.image);
    this.s.setPath.run(path, r.status, r.status === 'ok' ? r.sha256 : null, r.status === 'bad' ? r.message : null);
  }

  private putImage(img: DecodedImage): void {
    this.s.image.run(img.sha256, img.mime, img.width, img.height, img.bytes, img.thumb);
  }

  /**
   * Stages one CoT with its question. Returns false when the data's own CoT id repeats within
   * this file. Identical CoTs without an id are kept apart by a counter in their key, so a
   * file's duplicates all count, and re-importing the file maps them to the same keys again.
   */
  putCot(cot: NormalizedCot, imageShas: (string | null)[]): boolean {
    const qkey = `${cot.pool}\u0000${cot.domain}\u0000${cot.qid}`;
    this.s.question.run(qkey, cot.domain, cot.pool, cot.qid, cot.question, cot.groundTruth);
    cot.images.forEach((img, i) => this.s.qImage.run(qkey, i, imageShas[i], img.path));

    const base = cot.cotId ?? contentKey(cot);
    const args: unknown[] = [cot.answer, cot.correct === null ? null : Number(cot.correct), cot.steps.length, cot.records.length];
    let info = this.s.cot.run(qkey, base, ...args);
    if (!info.changes && cot.cotId !== null) return false;
    for (let n = 2; !info.changes; n++) info = this.s.cot.run(qkey, `${base}-${n}`, ...args);
    const id = info.lastInsertRowid;
    cot.steps.forEach((s, i) =>
      this.s.step.run(id, i, s.text, s.mc, s.k, s.human, s.vector ? Buffer.from(new Float32Array(s.vector).buffer) : null),
    );
    return true;
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

  /** Copies the staged data into the store in one write transaction. */
  commit(source: SourceInfo, summarize: (counts: CommitCounts) => unknown): CommitCounts {
    const x = this.schema;
    const db = this.db;
    return db.transaction((): CommitCounts => {
      const inserted = db
        .prepare(
          `INSERT INTO sources (path, sha256, format, pool, options, imported_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (sha256, pool) DO NOTHING`,
        )
        .run(source.path, source.sha256, source.format, source.pool, JSON.stringify(source.options), new Date().toISOString());
      const sourceId = db.prepare('SELECT id FROM sources WHERE sha256 = ? AND pool = ?').pluck().get(source.sha256, source.pool) as number;

      db.exec(`INSERT OR IGNORE INTO main.domains (name, pool) SELECT DISTINCT domain, pool FROM ${x}.questions`);
      db.exec(`INSERT OR IGNORE INTO main.images (sha256, mime, width, height, bytes, thumb)
               SELECT sha256, mime, width, height, bytes, thumb FROM ${x}.images`);
      // Staged questions joined to their rows in the store (new or already there).
      const questionsOf = (alias: string) => `JOIN ${x}.questions q ON q.qkey = ${alias}.qkey
        JOIN main.domains d ON d.name = q.domain AND d.pool = q.pool
        JOIN main.questions mq ON mq.domain_id = d.id AND mq.ext_id = q.ext_id`;
      const questions = db
        .prepare(
          `INSERT OR IGNORE INTO main.questions (ext_id, domain_id, source_id, text, answer)
           SELECT q.ext_id, d.id, ?, q.text, q.answer
           FROM ${x}.questions q JOIN main.domains d ON d.name = q.domain AND d.pool = q.pool`,
        )
        .run(sourceId).changes;
      // A re-import (say with --images) fills in images that were missing before.
      db.exec(`INSERT INTO main.question_images (question_id, ord, image_id, path)
               SELECT mq.id, qi.ord, i.id, qi.path FROM ${x}.q_images qi ${questionsOf('qi')}
               LEFT JOIN main.images i ON i.sha256 = qi.sha256 WHERE true
               ON CONFLICT (question_id, ord) DO UPDATE SET image_id = excluded.image_id
               WHERE question_images.image_id IS NULL AND excluded.image_id IS NOT NULL`);

      const before = db.prepare('SELECT coalesce(max(id), 0) FROM main.cots').pluck().get() as number;
      const cots = db
        .prepare(
          `INSERT OR IGNORE INTO main.cots (question_id, ext_id, source_id, answer, correct, n_steps)
           SELECT mq.id, c.ext_id, ?, c.answer, c.correct, c.n_steps
           FROM ${x}.cots c ${questionsOf('c')} ORDER BY c.id`,
        )
        .run(sourceId).changes;
      // Steps only for CoTs that are new: an existing CoT keeps exactly the steps it has.
      db.prepare(
        `INSERT INTO ${x}.cot_map (stage_id, cot_id)
         SELECT c.id, mc.id FROM ${x}.cots c ${questionsOf('c')}
         JOIN main.cots mc ON mc.question_id = mq.id AND mc.ext_id = c.ext_id WHERE mc.id > ?`,
      ).run(before);
      const steps = db
        .prepare(
          `INSERT INTO main.steps (cot_id, idx, text, mc, k, human, vector)
           SELECT m.cot_id, s.idx, s.text, s.mc, s.k, s.human, s.vector
           FROM ${x}.steps s JOIN ${x}.cot_map m ON m.stage_id = s.cot_id ORDER BY m.cot_id, s.idx`,
        )
        .run().changes;
      const imported = db
        .prepare(`SELECT coalesce(sum(c.n_records), 0) FROM ${x}.cot_map m JOIN ${x}.cots c ON c.id = m.stage_id`)
        .pluck()
        .get() as number;
      const domains: Record<string, number> = {};
      const perDomain = db
        .prepare(
          `SELECT d.name, count(*) AS n FROM ${x}.cot_map m JOIN main.cots mc ON mc.id = m.cot_id
           JOIN main.questions mq ON mq.id = mc.question_id JOIN main.domains d ON d.id = mq.domain_id
           GROUP BY d.name ORDER BY d.name`,
        )
        .all() as { name: string; n: number }[];
      for (const { name, n } of perDomain) domains[name] = (domains[name] ?? 0) + n;

      const counts = { sourceId, questions, cots, steps, imported, domains };
      // A source keeps the summary of the import that created it.
      if (inserted.changes) {
        db.prepare('UPDATE sources SET summary = ? WHERE id = ?').run(JSON.stringify(summarize(counts)), sourceId);
      }
      return counts;
    }).immediate();
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
