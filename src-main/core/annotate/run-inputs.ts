/**
 * What a run was started with: CoTs per pool and domain, by the trainer's own rules (train: a
 * step label; meta: a correctness label; excluded domains left out), and how many of their
 * steps carry a human label. Recorded when a run is created (app, `train`, `demo`: the training
 * host does it), so its page can show that annotated CoTs (e.g. the meta pool's "annotated"
 * domain) went into it. A sanity-check run (meta set from the test pool) records the test
 * pool's judged CoTs where others record the meta pool's.
 */
import type { Db } from '../store/db';
import type { Pool } from '../types';

export interface RunInputRow {
  pool: Pool;
  domain: string;
  cots: number;
  humanSteps: number;
}

export function currentInputs(db: Db, metaSource: 'meta' | 'test' = 'meta'): RunInputRow[] {
  return db
    .prepare(
      `SELECT d.pool, d.name AS domain, count(*) AS cots, coalesce(sum(h.human), 0) AS humanSteps
         FROM cots c
         JOIN questions q ON q.id = c.question_id
         JOIN domains d ON d.id = q.domain_id
         JOIN (SELECT s.cot_id, count(s.human) AS human, count(coalesce(s.human, s.mc)) AS labelled, count(*) AS n
                 FROM steps s GROUP BY s.cot_id) h ON h.cot_id = c.id
        WHERE d.excluded = 0
          AND ((d.pool = 'train' AND h.labelled > 0) OR (d.pool = ? AND c.correct IS NOT NULL))
        GROUP BY d.pool, d.name
        ORDER BY d.pool DESC, d.name`,
    )
    .all(metaSource) as RunInputRow[];
}

export function recordRunInputs(db: Db, runId: number, metaSource: 'meta' | 'test' = 'meta'): void {
  const rows = currentInputs(db, metaSource);
  const ins = db.prepare('INSERT OR REPLACE INTO run_inputs (run_id, pool, domain, cots, human_steps) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of rows) ins.run(runId, r.pool, r.domain, r.cots, r.humanSteps);
  })();
}

export function runInputs(db: Db, runId: number): RunInputRow[] {
  return db
    .prepare(
      `SELECT pool, domain, cots, human_steps AS humanSteps FROM run_inputs WHERE run_id = ? ORDER BY pool DESC, domain`,
    )
    .all(runId) as RunInputRow[];
}
