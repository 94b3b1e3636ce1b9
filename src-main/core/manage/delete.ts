/**
 * Deleting what the user no longer wants: an import (undo: its CoTs, and the questions,
 * domains and images only it had), a domain, a run, an evaluation. `planDeletion` says what
 * would go; `deleteTarget` removes exactly that in one transaction. Both count from the same
 * temporary id tables, so the confirmation and the deletion cannot disagree.
 */
import { NotFoundError, UserError } from '../errors';
import { dropExplorerTable } from '../explore/instance-table';
import type { Db } from '../store/db';
import { baseNameOf, describeRun, runsAffectedBy, runsStartedFrom } from './describe';
import { clearRunTags } from './run-tags';
import type { DeletionCount, DeletionPlan, DeletionResult, DeletionTarget } from './types';

const count = (db: Db, sql: string, ...params: unknown[]): number => (db.prepare(sql).pluck().get(...params) as number | null) ?? 0;

function counts(entries: [string, number][]): DeletionCount[] {
  return entries.filter(([, n]) => n > 0).map(([what, n]) => ({ what, count: n }));
}

/** Fills temp.del_cots and temp.del_questions with what deleting a source or domain removes. */
function collectData(db: Db, target: DeletionTarget): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS del_cots (id INTEGER PRIMARY KEY);
           CREATE TEMP TABLE IF NOT EXISTS del_questions (id INTEGER PRIMARY KEY);
           CREATE TEMP TABLE IF NOT EXISTS del_images (id INTEGER PRIMARY KEY);
           DELETE FROM temp.del_cots; DELETE FROM temp.del_questions; DELETE FROM temp.del_images;`);
  if (target.kind === 'source') {
    db.prepare('INSERT INTO temp.del_cots SELECT id FROM cots WHERE source_id = ?').run(target.id);
    // A question goes only when none of its CoTs stays (a later import may have added some).
    db.prepare(
      `INSERT INTO temp.del_questions SELECT q.id FROM questions q
        WHERE (q.source_id = :s OR q.id IN (SELECT c.question_id FROM cots c JOIN temp.del_cots d ON d.id = c.id))
          AND NOT EXISTS (SELECT 1 FROM cots c WHERE c.question_id = q.id AND c.id NOT IN (SELECT id FROM temp.del_cots))`,
    ).run({ s: target.id });
  } else {
    db.prepare('INSERT INTO temp.del_questions SELECT id FROM questions WHERE domain_id = ?').run(target.id);
    db.exec('INSERT INTO temp.del_cots SELECT c.id FROM cots c JOIN temp.del_questions q ON q.id = c.question_id');
  }
  // Images are stored once by content: only those no other question shows go.
  db.exec(
    `INSERT OR IGNORE INTO temp.del_images SELECT qi.image_id FROM question_images qi
      WHERE qi.question_id IN (SELECT id FROM temp.del_questions) AND qi.image_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM question_images o WHERE o.image_id = qi.image_id
                         AND o.question_id NOT IN (SELECT id FROM temp.del_questions))`,
  );
}

/** Domains left without a question by the deletion (for a domain: the domain itself). */
function emptiedDomains(db: Db, target: DeletionTarget): number[] {
  if (target.kind === 'domain') return [target.id];
  return db
    .prepare(
      `SELECT d.id FROM domains d
        WHERE EXISTS (SELECT 1 FROM questions q WHERE q.domain_id = d.id AND q.id IN (SELECT id FROM temp.del_questions))
          AND NOT EXISTS (SELECT 1 FROM questions q WHERE q.domain_id = d.id AND q.id NOT IN (SELECT id FROM temp.del_questions))`,
    )
    .pluck()
    .all() as number[];
}

/** Evaluations that scored a CoT that goes: their figures would no longer match the data. */
function affectedEvaluations(db: Db): number[] {
  return db
    .prepare('SELECT DISTINCT evaluation_id FROM eval_candidates WHERE cot_id IN (SELECT id FROM temp.del_cots) ORDER BY 1')
    .pluck()
    .all() as number[];
}

function dataName(db: Db, target: DeletionTarget): string {
  if (target.kind === 'source') {
    const path = db.prepare('SELECT path FROM sources WHERE id = ?').pluck().get(target.id) as string | undefined;
    if (path === undefined) throw new NotFoundError(`no import (source) with id ${target.id}`);
    return `the import of ${baseNameOf(path)} (source ${target.id})`;
  }
  const d = db.prepare('SELECT name, pool FROM domains WHERE id = ?').get(target.id) as { name: string; pool: string } | undefined;
  if (!d) throw new NotFoundError(`no domain with id ${target.id}`);
  return `domain "${d.name}" (${d.pool} pool)`;
}

function runningRefusal(db: Db): string | null {
  const running = db.prepare(`SELECT id FROM runs WHERE status = 'running' ORDER BY id`).pluck().all() as number[];
  if (!running.length) return null;
  return `run ${running.join(', ')} is training and reads this data: wait for it to finish or cancel it, then delete`;
}

function planData(db: Db, target: DeletionTarget): DeletionPlan & { evaluations: number[]; domains: number[] } {
  const name = dataName(db, target);
  collectData(db, target);
  const evaluations = affectedEvaluations(db);
  const domains = emptiedDomains(db, target);
  const removes = counts([
    ['import', target.kind === 'source' ? 1 : 0],
    ['domains', domains.length],
    ['questions', count(db, 'SELECT count(*) FROM temp.del_questions')],
    ['CoTs', count(db, 'SELECT count(*) FROM temp.del_cots')],
    ['steps', count(db, 'SELECT sum(n_steps) FROM cots WHERE id IN (SELECT id FROM temp.del_cots)')],
    ['human labels', count(db, 'SELECT count(*) FROM annotations WHERE cot_id IN (SELECT id FROM temp.del_cots)')],
    ['images', count(db, 'SELECT count(*) FROM temp.del_images')],
    ['evaluations that scored these CoTs', evaluations.length],
  ]);
  const trained = runsAffectedBy(db);
  const notes = trained.length
    ? [`${trained.length === 1 ? 'Run' : 'Runs'} ${trained.join(', ')} trained on this data: they keep their PRMs, but their explorers will no longer list these CoTs.`]
    : [];
  return { target, name, removes, notes, refusal: runningRefusal(db), evaluations, domains };
}

function planRun(db: Db, target: DeletionTarget): DeletionPlan {
  const run = db.prepare('SELECT status FROM runs WHERE id = ?').get(target.id) as { status: string } | undefined;
  if (!run) throw new NotFoundError(`no run with id ${target.id}`);
  const removes = counts([
    ['run', 1],
    ['evaluations', count(db, 'SELECT count(*) FROM evaluations WHERE run_id = ?', target.id)],
    ['checkpoints', count(db, 'SELECT count(*) FROM run_checkpoints WHERE run_id = ?', target.id)],
    ['weight snapshots', count(db, 'SELECT count(*) FROM run_instance_snapshots WHERE run_id = ?', target.id)],
    ['metric points', count(db, 'SELECT count(*) FROM run_metrics WHERE run_id = ?', target.id)],
  ]);
  const children = runsStartedFrom(db, target.id);
  const notes = children.length
    ? [`${children.length === 1 ? 'Run' : 'Runs'} ${children.join(', ')} started from its weights: they keep theirs, but lose the link to their cold start.`]
    : [];
  const refusal =
    run.status === 'running' ? `run ${target.id} is running: cancel it first (the Cancel button, or \`dreamprm cancel ${target.id}\`)` : null;
  return { target, name: describeRun(db, target.id), removes, notes, refusal };
}

function planEvaluation(db: Db, target: DeletionTarget): DeletionPlan {
  const e = db.prepare('SELECT run_id AS runId, label FROM evaluations WHERE id = ?').get(target.id) as
    | { runId: number | null; label: string }
    | undefined;
  if (!e) throw new NotFoundError(`no evaluation with id ${target.id}`);
  const removes = counts([
    ['evaluation', 1],
    ['scored candidates', count(db, 'SELECT count(*) FROM eval_candidates WHERE evaluation_id = ?', target.id)],
  ]);
  const of = e.runId === null ? `"${e.label}"` : `of ${describeRun(db, e.runId)}`;
  return { target, name: `evaluation ${target.id} ${of}`, removes, notes: [], refusal: null };
}

/** What deleting `target` would remove; throws NotFound for an unknown id. */
export function planDeletion(db: Db, target: DeletionTarget): DeletionPlan {
  if (target.kind === 'run') return planRun(db, target);
  if (target.kind === 'evaluation') return planEvaluation(db, target);
  const { evaluations: _e, domains: _d, ...plan } = db.transaction(() => planData(db, target))();
  return plan;
}

/** Deletes `target` and everything its plan lists, in one transaction; refuses what the plan refuses. */
export function deleteTarget(db: Db, target: DeletionTarget): DeletionResult {
  return db.transaction((): DeletionResult => {
    if (target.kind === 'source' || target.kind === 'domain') {
      const plan = planData(db, target);
      if (plan.refusal) throw new UserError(`cannot delete ${plan.name}: ${plan.refusal}`);
      removeData(db, target, plan.evaluations, plan.domains);
      return { target, name: plan.name, removed: plan.removes };
    }
    const plan = planDeletion(db, target);
    if (plan.refusal) throw new UserError(`cannot delete ${plan.name}: ${plan.refusal}`);
    if (target.kind === 'run') {
      dropExplorerTable(db, target.id);
      clearRunTags(db, target.id);
      // Evaluations, metrics, weights, snapshots, checkpoints and inputs go with it (ON DELETE CASCADE).
      db.prepare('DELETE FROM runs WHERE id = ?').run(target.id);
    } else {
      db.prepare('DELETE FROM evaluations WHERE id = ?').run(target.id);
    }
    return { target, name: plan.name, removed: plan.removes };
  })();
}

function removeData(db: Db, target: DeletionTarget, evaluations: number[], domains: number[]): void {
  const delEval = db.prepare('DELETE FROM evaluations WHERE id = ?');
  for (const id of evaluations) delEval.run(id);
  // Steps, human labels and promotions go with their CoTs; question images with their questions.
  db.exec('DELETE FROM cots WHERE id IN (SELECT id FROM temp.del_cots)');
  db.exec('DELETE FROM questions WHERE id IN (SELECT id FROM temp.del_questions)');
  if (target.kind === 'source') {
    // Questions this import created that keep CoTs of a later import now belong to that import.
    db.prepare(
      `UPDATE questions SET source_id = (SELECT min(c.source_id) FROM cots c WHERE c.question_id = questions.id)
        WHERE source_id = ?`,
    ).run(target.id);
  }
  const delDomain = db.prepare('DELETE FROM domains WHERE id = ?');
  for (const id of domains) delDomain.run(id);
  if (target.kind === 'source') db.prepare('DELETE FROM sources WHERE id = ?').run(target.id);
  db.exec('DELETE FROM images WHERE id IN (SELECT id FROM temp.del_images)');
}
