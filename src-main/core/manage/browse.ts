/**
 * A domain's questions and CoTs outside any run: what was imported, with images and labels,
 * before (or without) training on it. Paged; a search matches a question id or text prefix.
 */
import { NotFoundError } from '../errors';
import { cotViews, questionView } from '../explore/cot-view';
import type { Db } from '../store/db';
import type { BrowseItem, BrowsePage, BrowseQuestion } from './types';

export interface BrowseOptions {
  offset?: number;
  limit?: number;
  /** prefix of a question id or text (case-insensitive) */
  search?: string | null;
}

/** LIKE special characters taken literally. */
const likePrefix = (s: string): string => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function browseDomain(db: Db, domainId: number, opts: BrowseOptions = {}): BrowsePage {
  const d = db.prepare('SELECT name, pool FROM domains WHERE id = ?').get(domainId) as
    | { name: string; pool: BrowsePage['pool'] }
    | undefined;
  if (!d) throw new NotFoundError(`no domain with id ${domainId}`);
  const search = opts.search?.trim() ? likePrefix(opts.search.trim()) : null;
  const where = `q.domain_id = :domainId AND (:search IS NULL OR q.ext_id LIKE :search ESCAPE '\\' OR q.text LIKE :search ESCAPE '\\')`;
  const params = { domainId, search };
  const total = db.prepare(`SELECT count(*) FROM questions q WHERE ${where}`).pluck().get(params) as number;
  const items = db
    .prepare(
      `SELECT q.id AS questionId, q.ext_id AS extId, substr(q.text, 1, 160) AS text, q.answer, q.task,
              (SELECT count(*) FROM cots c WHERE c.question_id = q.id) AS cots,
              (SELECT qi.image_id FROM question_images qi WHERE qi.question_id = q.id AND qi.image_id IS NOT NULL
                ORDER BY qi.ord LIMIT 1) AS imageId
         FROM questions q WHERE ${where} ORDER BY q.id LIMIT :limit OFFSET :offset`,
    )
    .all({ ...params, limit: opts.limit ?? 50, offset: opts.offset ?? 0 }) as BrowseItem[];
  return { domainId, domain: d.name, pool: d.pool, total, items };
}

export function browseQuestion(db: Db, questionId: number): BrowseQuestion {
  const question = questionView(db, questionId);
  const task = db.prepare('SELECT task FROM questions WHERE id = ?').pluck().get(questionId) as string | null;
  const ids = db.prepare('SELECT id FROM cots WHERE question_id = ? ORDER BY id').pluck().all(questionId) as number[];
  return { question, task, cots: cotViews(db, ids) };
}
