import type { Db } from '../store/db';

/**
 * Brings a CoT's mean label up to date in every explorer table that has it, after a human
 * label changed (one indexed update per built run).
 */
export function refreshMeanLabel(db: Db, cotId: number): void {
  const tables = db.prepare('SELECT table_name FROM explore_tables').pluck().all() as string[];
  for (const t of tables) {
    db.prepare(
      `UPDATE ${t} SET mean_label = (SELECT avg(coalesce(human, mc)) FROM steps WHERE cot_id = :cotId) WHERE cot_id = :cotId`,
    ).run({ cotId });
  }
}
