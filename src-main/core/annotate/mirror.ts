import type { Db } from '../store/db';

/** Mirrors the original's correctness and human step labels onto its meta copy, if it has one. */
export function syncPromotedCopy(db: Db, sourceCotId: number): boolean {
  const copy = db.prepare('SELECT meta_cot_id FROM meta_promotions WHERE source_cot_id = ?').pluck().get(sourceCotId) as
    | number
    | undefined;
  if (copy === undefined) return false;
  db.prepare('UPDATE cots SET correct = (SELECT correct FROM cots WHERE id = ?) WHERE id = ?').run(sourceCotId, copy);
  db.prepare(
    `UPDATE steps SET human = (SELECT s.human FROM steps s WHERE s.cot_id = ? AND s.idx = steps.idx) WHERE cot_id = ?`,
  ).run(sourceCotId, copy);
  return true;
}
