/**
 * "Promote to meta": copies human-judged CoTs into a meta-pool domain, so that the upper level
 * (which learns domain or instance weights against the meta pool's correct/incorrect labels)
 * learns from human judgement. The copy keeps the question's images and the steps with every
 * label; later annotations of the original are mirrored onto the copy.
 */
import { UserError } from '../errors';
import type { Db } from '../store/db';
import { annotatedCotIds } from './annotations';
import { syncPromotedCopy } from './mirror';
import { requireAnnotator } from './settings';
import type { PromoteResult } from './types';

export const ANNOTATED_DOMAIN = 'annotated';

interface SourceCot {
  id: number;
  questionId: number;
  extId: string;
  answer: string | null;
  correct: number | null;
  nSteps: number;
  pool: string;
  domain: string;
  questionExtId: string;
  questionText: string;
  questionAnswer: string | null;
}

function annotatedDomainId(db: Db): number {
  db.prepare(`INSERT OR IGNORE INTO domains (name, pool) VALUES (?, 'meta')`).run(ANNOTATED_DOMAIN);
  return db.prepare(`SELECT id FROM domains WHERE name = ? AND pool = 'meta'`).pluck().get(ANNOTATED_DOMAIN) as number;
}

function copyCot(db: Db, src: SourceCot, domainId: number): number {
  // One copied question per original question; its ext id says where it came from.
  const qExt = `${src.pool}/${src.domain}/${src.questionExtId}`;
  db.prepare('INSERT OR IGNORE INTO questions (ext_id, domain_id, source_id, text, answer) VALUES (?, ?, NULL, ?, ?)').run(
    qExt,
    domainId,
    src.questionText,
    src.questionAnswer,
  );
  const qid = db.prepare('SELECT id FROM questions WHERE domain_id = ? AND ext_id = ?').pluck().get(domainId, qExt) as number;
  db.prepare(
    `INSERT OR IGNORE INTO question_images (question_id, ord, image_id, path)
     SELECT ?, ord, image_id, path FROM question_images WHERE question_id = ?`,
  ).run(qid, src.questionId);
  const cotId = Number(
    db
      .prepare('INSERT INTO cots (question_id, ext_id, source_id, answer, correct, n_steps) VALUES (?, ?, NULL, ?, ?, ?)')
      .run(qid, `cot-${src.id}`, src.answer, src.correct, src.nSteps).lastInsertRowid,
  );
  db.prepare(
    `INSERT INTO steps (cot_id, idx, text, mc, k, human, vector)
     SELECT ?, idx, text, mc, k, human, vector FROM steps WHERE cot_id = ? ORDER BY idx`,
  ).run(cotId, src.id);
  return cotId;
}

/**
 * Promotes the given CoTs, or every CoT with a human label in force. A CoT needs a
 * correct/incorrect label to teach the upper level; those without one are skipped with the
 * reason, as are CoTs already in the meta pool.
 */
export function promoteToMeta(db: Db, opts: { cotIds?: readonly number[] } = {}): PromoteResult {
  const annotator = requireAnnotator(db);
  const ids = opts.cotIds ? [...new Set(opts.cotIds)] : annotatedCotIds(db);
  if (opts.cotIds && !ids.length) throw new UserError('choose at least one CoT to promote');
  const load = db.prepare(
    `SELECT c.id, c.question_id AS questionId, c.ext_id AS extId, c.answer, c.correct, c.n_steps AS nSteps,
            d.pool, d.name AS domain, q.ext_id AS questionExtId, q.text AS questionText, q.answer AS questionAnswer
       FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id WHERE c.id = ?`,
  );
  const result: PromoteResult = {
    domain: ANNOTATED_DOMAIN,
    promoted: 0,
    updated: 0,
    skipped: [],
    fromTestPool: 0,
    domainCots: 0,
    metaPoolCots: 0,
  };
  db.transaction(() => {
    const domainId = annotatedDomainId(db);
    const now = new Date().toISOString();
    for (const id of ids) {
      const src = load.get(id) as SourceCot | undefined;
      if (!src) {
        result.skipped.push({ cotId: id, reason: 'no such CoT' });
        continue;
      }
      if (src.pool === 'meta') {
        result.skipped.push({ cotId: id, reason: 'already in the meta pool: its labels are used as they are' });
        continue;
      }
      if (src.correct === null) {
        result.skipped.push({ cotId: id, reason: 'no correct/incorrect label: mark the CoT correct or incorrect first' });
        continue;
      }
      if (syncPromotedCopy(db, id)) {
        result.updated++;
        continue;
      }
      const copy = copyCot(db, src, domainId);
      db.prepare('INSERT INTO meta_promotions (source_cot_id, meta_cot_id, promoted_at, annotator) VALUES (?, ?, ?, ?)').run(
        id,
        copy,
        now,
        annotator,
      );
      result.promoted++;
      if (src.pool === 'test') result.fromTestPool++;
    }
    result.domainCots = db
      .prepare('SELECT count(*) FROM cots c JOIN questions q ON q.id = c.question_id WHERE q.domain_id = ?')
      .pluck()
      .get(domainId) as number;
    result.metaPoolCots = metaPoolSize(db);
  })();
  return result;
}

/** CoTs the trainer's meta pool holds: meta domains not excluded, with a correctness label. */
export function metaPoolSize(db: Db): number {
  return db
    .prepare(
      `SELECT count(*) FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
        WHERE d.pool = 'meta' AND d.excluded = 0 AND c.correct IS NOT NULL AND c.n_steps > 0`,
    )
    .pluck()
    .get() as number;
}
