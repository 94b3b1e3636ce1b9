import type { Db } from '../store/db';
import type { Pool } from '../types';

export interface ExportStep {
  text: string;
  mc: number | null;
  k: number | null;
  human: number | null;
}

export interface ExportCot {
  cotId: number;
  cotExt: string;
  questionId: number;
  qid: string;
  question: string;
  groundTruth: string | null;
  domain: string;
  answer: string | null;
  correct: boolean | null;
  steps: ExportStep[];
}

/**
 * Every CoT of a pool's non-excluded domains with its steps, in question then CoT order, a
 * page at a time: an export of millions of steps never holds them all.
 */
export function* poolCots(db: Db, pool: Pool, pageSize = 1000): Generator<ExportCot> {
  const page = db.prepare(
    `SELECT c.id AS cotId, c.ext_id AS cotExt, q.id AS questionId, q.ext_id AS qid, q.text AS question,
            q.answer AS groundTruth, d.name AS domain, c.answer, c.correct
       FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
      WHERE d.pool = ? AND d.excluded = 0 AND (q.id > ? OR (q.id = ? AND c.id > ?))
      ORDER BY q.id, c.id LIMIT ?`,
  );
  const stepsOf = db.prepare(`SELECT text, mc, k, human FROM steps WHERE cot_id = ? ORDER BY idx`);
  let lastQ = -1;
  let lastC = -1;
  for (;;) {
    const rows = page.all(pool, lastQ, lastQ, lastC, pageSize) as (Omit<ExportCot, 'steps' | 'correct'> & { correct: number | null })[];
    if (!rows.length) return;
    for (const r of rows) {
      yield { ...r, correct: r.correct === null ? null : r.correct === 1, steps: stepsOf.all(r.cotId) as ExportStep[] };
    }
    lastQ = rows[rows.length - 1].questionId;
    lastC = rows[rows.length - 1].cotId;
  }
}

/** The label a trainer should use for a step: a human +/- over the Monte Carlo m. */
export function effectiveLabel(s: ExportStep): number | null {
  return s.human ?? s.mc;
}
