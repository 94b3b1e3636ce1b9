import type { Db } from './db';
import type { Pool } from '../types';

/**
 * Reads of imported questions, their CoTs (with steps) and images, for the UI, the API and the
 * engine. Getters by id return undefined for an unknown id.
 */

export interface ImageBlob {
  mime: string;
  bytes: Buffer;
}

export interface ImageDetail extends ImageBlob {
  width: number;
  height: number;
}

export interface StepRow {
  idx: number;
  text: string;
  /** Monte Carlo label in [0,1] (for dataset +/- labels: 1/0 with k null) */
  mc: number | null;
  k: number | null;
  human: 0 | 1 | null;
}

export interface CotDetail {
  id: number;
  questionId: number;
  extId: string;
  sourceId: number | null;
  answer: string | null;
  correct: boolean | null;
  steps: StepRow[];
}

export interface QuestionDetail {
  id: number;
  extId: string;
  domainId: number;
  domain: string;
  pool: Pool;
  text: string;
  answer: string | null;
  /** in order; imageId null when the file was missing or unreadable at import */
  images: { ord: number; imageId: number | null; path: string }[];
  cotIds: number[];
}

export function getImage(db: Db, id: number): ImageDetail | undefined {
  return db.prepare('SELECT mime, bytes, width, height FROM images WHERE id = ?').get(id) as ImageDetail | undefined;
}

/** The image's thumbnail (WebP, at most 128 px on its longer side). */
export function getThumbnail(db: Db, id: number): ImageBlob | undefined {
  const bytes = db.prepare('SELECT thumb FROM images WHERE id = ?').pluck().get(id) as Buffer | undefined;
  return bytes ? { mime: 'image/webp', bytes } : undefined;
}

const STEPS_OF = 'SELECT idx, text, mc, k, human FROM steps WHERE cot_id = ? ORDER BY idx';

interface CotRow {
  id: number;
  questionId: number;
  extId: string;
  sourceId: number | null;
  answer: string | null;
  correct: number | null;
}
const COT_COLUMNS = 'c.id, c.question_id AS questionId, c.ext_id AS extId, c.source_id AS sourceId, c.answer, c.correct';

export function getCot(db: Db, id: number): CotDetail | undefined {
  const row = db.prepare(`SELECT ${COT_COLUMNS} FROM cots c WHERE c.id = ?`).get(id) as CotRow | undefined;
  return row && withSteps(db, row);
}

function withSteps(db: Db, row: CotRow): CotDetail {
  return {
    ...row,
    correct: row.correct === null ? null : row.correct === 1,
    steps: db.prepare(STEPS_OF).all(row.id) as StepRow[],
  };
}

/**
 * CoTs with their steps in id order, a page at a time (pass the last id as `afterId`).
 * Excluded domains are skipped unless asked for.
 */
export function pageCots(
  db: Db,
  opts: { pool?: Pool; domainId?: number; afterId?: number; limit?: number; includeExcluded?: boolean } = {},
): CotDetail[] {
  const rows = db
    .prepare(
      `SELECT ${COT_COLUMNS} FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
       WHERE c.id > :afterId AND (:pool IS NULL OR d.pool = :pool) AND (:domainId IS NULL OR d.id = :domainId)
         AND (:includeExcluded OR d.excluded = 0)
       ORDER BY c.id LIMIT :limit`,
    )
    .all({
      afterId: opts.afterId ?? 0,
      pool: opts.pool ?? null,
      domainId: opts.domainId ?? null,
      includeExcluded: opts.includeExcluded ? 1 : 0,
      limit: opts.limit ?? 100,
    }) as CotRow[];
  return rows.map((r) => withSteps(db, r));
}

export function getQuestion(db: Db, id: number): QuestionDetail | undefined {
  const q = db
    .prepare(
      `SELECT q.id, q.ext_id AS extId, q.domain_id AS domainId, d.name AS domain, d.pool, q.text, q.answer
       FROM questions q JOIN domains d ON d.id = q.domain_id WHERE q.id = ?`,
    )
    .get(id) as Omit<QuestionDetail, 'images' | 'cotIds'> | undefined;
  if (!q) return undefined;
  return {
    ...q,
    images: db
      .prepare('SELECT ord, image_id AS imageId, path FROM question_images WHERE question_id = ? ORDER BY ord')
      .all(id) as QuestionDetail['images'],
    cotIds: db.prepare('SELECT id FROM cots WHERE question_id = ? ORDER BY id').pluck().all(id) as number[],
  };
}
