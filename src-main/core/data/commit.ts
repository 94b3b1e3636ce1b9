/** The last step of an import: the stage copied into the store in one transaction. */
import type { Db } from '../store/db';
import type { ConflictPolicy, ImportConflict, ImportFormat, Pool } from '../types';
import { resolveConflicts } from './conflicts';
import type { RecordTally } from './record-groups';

/** What the final copy added to the store. */
export interface CommitCounts {
  sourceId: number;
  questions: number;
  cots: number;
  steps: number;
  /** input records behind the CoTs that were new or replaced a stored one */
  imported: number;
  domains: Record<string, number>;
  conflicts: ImportConflict[];
  /** records kept out by conflicts (--on-conflict keep), by reason */
  conflictSkipped: RecordTally;
}

/** The file an import is about to record as a source (not yet a row: no id or counts). */
export interface NewSource {
  path: string;
  sha256: string;
  format: ImportFormat;
  pool: Pool;
  options: Record<string, unknown>;
}

/**
 * Copies the staged data into the store in one write transaction, after settling conflicts
 * with stored data by `policy` (--on-conflict fail throws ConflictsRefused: nothing is
 * written). A source row is added only when the import changed something.
 */
export function commitStage(
  db: Db,
  x: string,
  source: NewSource,
  policy: ConflictPolicy,
  summarize: (counts: CommitCounts) => unknown,
): CommitCounts {
  return db.transaction((): CommitCounts => {
    const inserted = db
      .prepare(
        `INSERT INTO sources (path, sha256, format, pool, options, imported_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (sha256, pool) DO NOTHING`,
      )
      .run(source.path, source.sha256, source.format, source.pool, JSON.stringify(source.options), new Date().toISOString());
    const sourceId = db.prepare('SELECT id FROM sources WHERE sha256 = ? AND pool = ?').pluck().get(source.sha256, source.pool) as number;
    const settled = resolveConflicts(db, x, policy, sourceId);
    const questions = copyQuestions(db, x, sourceId);
    const { cots, steps, imported } = copyCots(db, x, sourceId);
    const counts: CommitCounts = {
      sourceId,
      questions: questions.added,
      cots,
      steps,
      imported: imported + settled.replaced,
      domains: newCotsPerDomain(db, x),
      conflicts: settled.conflicts,
      conflictSkipped: settled.skipped,
    };
    const changed = questions.added + questions.images + cots + steps + (policy === 'replace' ? settled.conflicts.length : 0);
    if (inserted.changes && !changed) db.prepare('DELETE FROM sources WHERE id = ?').run(sourceId);
    // A source keeps the summary of the import that created it.
    else if (inserted.changes) db.prepare('UPDATE sources SET summary = ? WHERE id = ?').run(JSON.stringify(summarize(counts)), sourceId);
    return counts;
  }).immediate();
}

/** Staged questions (alias q) joined to their rows in the store, new or already there (alias mq). */
function questionsOf(x: string, alias: string): string {
  return `JOIN ${x}.questions q ON q.qkey = ${alias}.qkey
      JOIN main.domains d ON d.name = q.domain AND d.pool = q.pool
      JOIN main.questions mq ON mq.domain_id = d.id AND mq.ext_id = q.ext_id`;
}

function copyQuestions(db: Db, x: string, sourceId: number): { added: number; images: number } {
  db.exec(`INSERT OR IGNORE INTO main.domains (name, pool) SELECT DISTINCT domain, pool FROM ${x}.questions`);
  db.exec(`INSERT OR IGNORE INTO main.images (sha256, mime, width, height, bytes, thumb)
           SELECT sha256, mime, width, height, bytes, thumb FROM ${x}.images
           WHERE sha256 IN (SELECT sha256 FROM ${x}.q_images)`);
  const added = db
    .prepare(
      `INSERT OR IGNORE INTO main.questions (ext_id, domain_id, source_id, text, answer, task)
       SELECT q.ext_id, d.id, ?, q.text, q.answer, q.task
       FROM ${x}.questions q JOIN main.domains d ON d.name = q.domain AND d.pool = q.pool`,
    )
    .run(sourceId).changes;
  // A re-import (say with --images) fills in images that were missing before.
  const images = db
    .prepare(
      `INSERT INTO main.question_images (question_id, ord, image_id, path)
       SELECT mq.id, qi.ord, i.id, qi.path FROM ${x}.q_images qi ${questionsOf(x, 'qi')}
       LEFT JOIN main.images i ON i.sha256 = qi.sha256 WHERE true
       ON CONFLICT (question_id, ord) DO UPDATE SET image_id = excluded.image_id
       WHERE question_images.image_id IS NULL AND excluded.image_id IS NOT NULL`,
    )
    .run().changes;
  return { added, images };
}

/** New CoTs and their steps; an existing CoT keeps exactly the steps it has (conflicts are settled before). */
function copyCots(db: Db, x: string, sourceId: number): { cots: number; steps: number; imported: number } {
  const before = db.prepare('SELECT coalesce(max(id), 0) FROM main.cots').pluck().get() as number;
  const cots = db
    .prepare(
      `INSERT OR IGNORE INTO main.cots (question_id, ext_id, source_id, answer, correct, n_steps)
       SELECT mq.id, c.ext_id, ?, c.answer, c.correct, c.n_steps
       FROM ${x}.cots c ${questionsOf(x, 'c')} ORDER BY c.id`,
    )
    .run(sourceId).changes;
  db.prepare(
    `INSERT INTO ${x}.cot_map (stage_id, cot_id)
     SELECT c.id, mc.id FROM ${x}.cots c ${questionsOf(x, 'c')}
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
  return { cots, steps, imported };
}

function newCotsPerDomain(db: Db, x: string): Record<string, number> {
  const rows = db
    .prepare(
      `SELECT d.name, count(*) AS n FROM ${x}.cot_map m JOIN main.cots mc ON mc.id = m.cot_id
       JOIN main.questions mq ON mq.id = mc.question_id JOIN main.domains d ON d.id = mq.domain_id
       GROUP BY d.name ORDER BY d.name`,
    )
    .all() as { name: string; n: number }[];
  const domains: Record<string, number> = {};
  for (const { name, n } of rows) domains[name] = (domains[name] ?? 0) + n;
  return domains;
}

