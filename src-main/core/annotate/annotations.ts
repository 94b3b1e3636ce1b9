/**
 * Human labels: a step +/− or a CoT correct/incorrect, applied to steps.human / cots.correct
 * (which training reads: human over Monte Carlo m, and meta correctness), recorded with who
 * and when in an append-only history that undo walks back.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { NotFoundError, UserError } from '../errors';
import { cotView } from '../explore/cot-view';
import { refreshMeanLabel } from '../explore/labels-sync';
import type { Db } from '../store/db';
import { syncPromotedCopy } from './mirror';
import { requireAnnotator } from './settings';
import type { AnnotateRequest, Annotation, AnnotationResult, AnnotationStats, UndoResult } from './types';

interface AnnotationDb {
  id: number;
  cot_id: number;
  step_idx: number | null;
  value: 0 | 1 | null;
  previous: 0 | 1 | null;
  annotator: string;
  created_at: string;
  undone_at: string | null;
}

function toAnnotation(r: AnnotationDb): Annotation {
  return {
    id: r.id,
    cotId: r.cot_id,
    stepIdx: r.step_idx,
    value: r.value,
    previous: r.previous,
    annotator: r.annotator,
    createdAt: r.created_at,
    undoneAt: r.undone_at,
  };
}

/** The target's current value: the step's human label or the CoT's correctness. */
function currentValue(db: Db, cotId: number, stepIdx: number | null): 0 | 1 | null {
  if (stepIdx === null) {
    const row = db.prepare('SELECT correct FROM cots WHERE id = ?').get(cotId) as { correct: 0 | 1 | null } | undefined;
    if (!row) throw new NotFoundError(`no CoT with id ${cotId}`);
    return row.correct;
  }
  const row = db.prepare('SELECT human FROM steps WHERE cot_id = ? AND idx = ?').get(cotId, stepIdx) as
    | { human: 0 | 1 | null }
    | undefined;
  if (!row) {
    const n = db.prepare('SELECT n_steps FROM cots WHERE id = ?').pluck().get(cotId) as number | undefined;
    if (n === undefined) throw new NotFoundError(`no CoT with id ${cotId}`);
    throw new NotFoundError(`CoT ${cotId} has no step ${stepIdx} (its steps are 0..${n - 1})`);
  }
  return row.human;
}

function applyValue(db: Db, cotId: number, stepIdx: number | null, value: 0 | 1 | null): void {
  if (stepIdx === null) db.prepare('UPDATE cots SET correct = ? WHERE id = ?').run(value, cotId);
  else db.prepare('UPDATE steps SET human = ? WHERE cot_id = ? AND idx = ?').run(value, cotId, stepIdx);
}

/** Whatever else mirrors a CoT's labels: its meta-pool copy and the explorers' mean labels. */
function propagate(db: Db, cotId: number): void {
  syncPromotedCopy(db, cotId);
  refreshMeanLabel(db, cotId);
}

function latestLive(db: Db, cotId: number, stepIdx: number | null): AnnotationDb | undefined {
  return db
    .prepare(
      `SELECT * FROM annotations WHERE cot_id = ? AND step_idx IS ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1`,
    )
    .get(cotId, stepIdx) as AnnotationDb | undefined;
}

export function annotate(db: Db, req: AnnotateRequest): AnnotationResult {
  const annotator = requireAnnotator(db);
  const stepIdx = req.stepIdx ?? null;
  if (req.value !== 0 && req.value !== 1 && req.value !== null) {
    throw new UserError(`a label is 1 (+ / correct), 0 (− / incorrect) or null (clear), not ${JSON.stringify(req.value)}`);
  }
  return db.transaction((): AnnotationResult => {
    const previous = currentValue(db, req.cotId, stepIdx);
    const last = latestLive(db, req.cotId, stepIdx);
    // The same label again from the same person changes nothing and is not recorded twice.
    if (previous === req.value && last && last.value === req.value && last.annotator === annotator) {
      return { annotation: null, cot: cotView(db, req.cotId) };
    }
    if (previous === req.value && req.value === null) return { annotation: null, cot: cotView(db, req.cotId) };
    const id = Number(
      db
        .prepare(
          `INSERT INTO annotations (cot_id, step_idx, value, previous, annotator, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(req.cotId, stepIdx, req.value, previous, annotator, new Date().toISOString()).lastInsertRowid,
    );
    applyValue(db, req.cotId, stepIdx, req.value);
    propagate(db, req.cotId);
    const row = db.prepare('SELECT * FROM annotations WHERE id = ?').get(id) as AnnotationDb;
    return { annotation: toAnnotation(row), cot: cotView(db, req.cotId) };
  })();
}

/**
 * Takes back the newest live annotation, whoever gave it (the history is one stack): its
 * target gets back the value it had before.
 */
export function undoLastAnnotation(db: Db): UndoResult {
  return db.transaction((): UndoResult => {
    const last = db.prepare('SELECT * FROM annotations WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1').get() as
      | AnnotationDb
      | undefined;
    if (!last) return { undone: null, cot: null };
    db.prepare('UPDATE annotations SET undone_at = ? WHERE id = ?').run(new Date().toISOString(), last.id);
    applyValue(db, last.cot_id, last.step_idx, last.previous);
    propagate(db, last.cot_id);
    const row = db.prepare('SELECT * FROM annotations WHERE id = ?').get(last.id) as AnnotationDb;
    return { undone: toAnnotation(row), cot: cotView(db, last.cot_id) };
  })();
}

/** Labels in force: per target, its newest live annotation, when that is not a clearing. */
const IN_FORCE = `SELECT a.* FROM annotations a
  WHERE a.id IN (SELECT max(id) FROM annotations WHERE undone_at IS NULL GROUP BY cot_id, step_idx)
    AND a.value IS NOT NULL`;

export function annotationStats(db: Db, recent = 20): AnnotationStats {
  const counts = db
    .prepare(
      `SELECT count(step_idx) AS stepLabels, count(*) - count(step_idx) AS cotLabels, count(DISTINCT cot_id) AS cots
         FROM (${IN_FORCE})`,
    )
    .get() as { stepLabels: number; cotLabels: number; cots: number };
  const totals = db.prepare('SELECT count(*) AS recorded, count(undone_at) AS undone FROM annotations').get() as {
    recorded: number;
    undone: number;
  };
  const promoted = db.prepare('SELECT count(*) FROM meta_promotions').pluck().get() as number;
  const rows = db
    .prepare('SELECT * FROM annotations WHERE undone_at IS NULL ORDER BY id DESC LIMIT ?')
    .all(Math.max(0, Math.min(1000, recent))) as AnnotationDb[];
  return { ...counts, ...totals, promoted, recent: rows.map(toAnnotation) };
}

/** CoT ids with a label in force. */
export function annotatedCotIds(db: Db): number[] {
  return db.prepare(`SELECT DISTINCT cot_id FROM (${IN_FORCE}) ORDER BY cot_id`).pluck().all() as number[];
}

export interface ExportLine {
  id: number;
  target: 'step' | 'cot';
  cotId: number;
  cotExtId: string;
  questionExtId: string;
  domain: string;
  pool: string;
  step: number | null;
  stepText: string | null;
  value: 0 | 1 | null;
  previous: 0 | 1 | null;
  annotator: string;
  createdAt: string;
  undoneAt: string | null;
}

/** The history as JSONL lines, oldest first; `all` includes undone annotations. */
export function* exportLines(db: Db, opts: { all?: boolean } = {}): Generator<ExportLine> {
  const rows = db
    .prepare(
      `SELECT a.id, a.cot_id AS cotId, c.ext_id AS cotExtId, q.ext_id AS questionExtId, d.name AS domain, d.pool,
              a.step_idx AS step, s.text AS stepText, a.value, a.previous, a.annotator, a.created_at AS createdAt,
              a.undone_at AS undoneAt
         FROM annotations a
         JOIN cots c ON c.id = a.cot_id JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
         LEFT JOIN steps s ON s.cot_id = a.cot_id AND s.idx = a.step_idx
        ${opts.all ? '' : 'WHERE a.undone_at IS NULL'}
        ORDER BY a.id`,
    )
    .iterate() as Iterable<Omit<ExportLine, 'target'>>;
  for (const { id, ...rest } of rows) yield { id, target: rest.step === null ? 'cot' : 'step', ...rest };
}

export function exportJsonl(db: Db, opts: { all?: boolean } = {}): { jsonl: string; count: number } {
  const lines: string[] = [];
  for (const line of exportLines(db, opts)) lines.push(JSON.stringify(line));
  return { jsonl: lines.length ? `${lines.join('\n')}\n` : '', count: lines.length };
}

/** Writes the export to a file, streaming; returns the number of lines. */
export async function exportToFile(db: Db, file: string, opts: { all?: boolean } = {}): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', (e) => reject(new UserError(`cannot write ${file}: ${e.message}`))));
  // Awaited below at every wait; this only keeps an early failure from counting as unhandled.
  failed.catch(() => {});
  let count = 0;
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  for (const line of exportLines(db, opts)) {
    await write(`${JSON.stringify(line)}\n`);
    count++;
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return count;
}
