/** How runs are named and found for deletion plans: by their name, and by what they trained on or started from. */
import type { Db } from '../store/db';

export const baseNameOf = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/** "run 3 · name (method)" or "run 3 (method)". */
export function describeRun(db: Db, runId: number): string {
  const r = db.prepare('SELECT name, method FROM runs WHERE id = ?').get(runId) as { name: string | null; method: string } | undefined;
  if (!r) return `run ${runId} (deleted)`;
  return `run ${runId}${r.name ? ` · ${r.name}` : ''} (${r.method})`;
}

/** Runs whose config names `runId` as their cold start. */
export function runsStartedFrom(db: Db, runId: number): number[] {
  return db
    .prepare(`SELECT id FROM runs WHERE json_extract(config, '$.coldStart.fromRun') = ? ORDER BY id`)
    .pluck()
    .all(runId) as number[];
}

/**
 * Runs that trained or learned on the domains of temp.del_cots: by what they recorded at their
 * start (run_inputs), or by their training instances' domains.
 */
export function runsAffectedBy(db: Db): number[] {
  return db
    .prepare(
      `WITH touched AS (
         SELECT DISTINCT d.name, d.pool FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
          WHERE c.id IN (SELECT id FROM temp.del_cots))
       SELECT run_id FROM run_inputs ri JOIN touched t ON t.name = ri.domain AND t.pool = ri.pool
       UNION
       SELECT ri.run_id FROM run_instances ri, json_each(ri.domain_names) j
         JOIN touched t ON t.name = j.value AND t.pool = 'train'
       ORDER BY 1`,
    )
    .pluck()
    .all() as number[];
}
