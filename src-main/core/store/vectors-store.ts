import type { Pool } from '../types';
import type { Db } from './db';

export interface StepVectorCounts {
  pools: { pool: Pool; steps: number; withVector: number }[];
  /** vector lengths found, ascending (more than one: vectors of different models are mixed) */
  dims: number[];
}

/**
 * How many steps of each pool's non-excluded domains carry a vector, and the vectors' lengths;
 * empty when no step has one (the usual case, answered without counting every step by pool).
 */
export function stepVectorCounts(db: Db): StepVectorCounts {
  if (!db.prepare(`SELECT EXISTS (SELECT 1 FROM steps WHERE vector IS NOT NULL)`).pluck().get()) return { pools: [], dims: [] };
  const pools = db
    .prepare(
      `SELECT d.pool AS pool, count(*) AS steps, count(s.vector) AS withVector
         FROM steps s JOIN cots c ON c.id = s.cot_id JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
        WHERE d.excluded = 0 GROUP BY d.pool ORDER BY CASE d.pool WHEN 'train' THEN 0 WHEN 'meta' THEN 1 ELSE 2 END`,
    )
    .all() as StepVectorCounts['pools'];
  const dims = db.prepare(`SELECT DISTINCT length(vector) / 4 FROM steps WHERE vector IS NOT NULL ORDER BY 1`).pluck().all() as number[];
  return { pools, dims };
}
