/**
 * Staged records that disagree with data already in the store: a question id whose stored
 * question text (or ground truth) differs, a CoT key whose stored steps, answer or labels
 * differ. Found inside the import's final transaction, before anything is copied, and then
 * kept out (keep), written over the stored rows (replace) or refused as a whole (fail).
 */
import type { Db } from '../store/db';
import type { ConflictPolicy, ImportConflict } from '../types';
import { RecordTally } from './record-groups';
import { describe } from './validation';

/** --on-conflict fail found conflicts: the caller rolls back and reports them. */
export class ConflictsRefused extends Error {
  constructor(readonly conflicts: ImportConflict[]) {
    const n = conflicts.reduce((t, c) => t + c.count, 0);
    super(`${n} record${n === 1 ? ' conflicts' : 's conflict'} with stored data`);
  }
}

export interface ConflictOutcome {
  conflicts: ImportConflict[];
  /** records kept out because the stored version stays (keep), by reason */
  skipped: RecordTally;
  /** records whose CoT replaced a stored one (replace) */
  replaced: number;
}

interface QuestionConflict {
  qkey: string;
  qid: string;
  text: string;
  answer: string | null;
  storedId: number;
  storedText: string;
  storedAnswer: string | null;
}

interface CotConflict {
  stageId: number;
  storedId: number;
  qid: string;
  cotId: string;
  record: number;
  records: number;
  what: 'steps' | 'answer' | 'labels';
}

const COT_REASONS: Record<CotConflict['what'], string> = {
  steps: 'CoT steps differ from the stored CoT with the same key',
  answer: "CoT answer differs from the stored CoT's",
  labels: "step labels or correctness differ from the stored CoT's",
};

const ACTIONS: Record<ConflictPolicy, ImportConflict['action']> = { keep: 'kept', replace: 'replaced', fail: 'refused' };

const short = (s: string | null): string => (s === null ? '(none)' : s.length > 80 ? `${s.slice(0, 77)}...` : s);

export function resolveConflicts(db: Db, x: string, policy: ConflictPolicy, sourceId: number): ConflictOutcome {
  const questions = findQuestionConflicts(db, x);
  const reported = reportQuestions(db, x, questions, policy);
  // Kept-out questions take their CoTs with them, so those are not compared again.
  if (policy === 'keep') dropQuestions(db, x, questions);
  const cots = findCotConflicts(db, x);
  const conflicts = [...reported, ...reportCots(db, x, cots, policy)];
  if (policy === 'fail' && conflicts.length) throw new ConflictsRefused(conflicts);
  const skipped = new RecordTally();
  if (policy === 'keep') {
    for (const c of conflicts) skipped.addGroup(`conflict (stored version kept): ${c.reason}`, c.count, c.first);
    dropCots(db, x, cots);
    return { conflicts, skipped, replaced: 0 };
  }
  replaceQuestions(db, questions);
  replaceCots(db, x, cots, sourceId);
  return { conflicts, skipped, replaced: cots.reduce((n, c) => n + c.records, 0) };
}

/** Staged questions (alias q) joined to the stored question of the same domain, pool and qid (alias mq). */
const STORED_QUESTION = `JOIN main.domains d ON d.name = q.domain AND d.pool = q.pool
    JOIN main.questions mq ON mq.domain_id = d.id AND mq.ext_id = q.ext_id`;

function findQuestionConflicts(db: Db, x: string): QuestionConflict[] {
  return db
    .prepare(
      `SELECT q.qkey, q.ext_id AS qid, q.text, q.answer, mq.id AS storedId, mq.text AS storedText, mq.answer AS storedAnswer
         FROM ${x}.questions q ${STORED_QUESTION}
        WHERE mq.text != q.text OR (q.answer IS NOT NULL AND mq.answer IS NOT q.answer)
        ORDER BY q.record`,
    )
    .all() as QuestionConflict[];
}

/** Labels people gave in the app (annotations) are theirs: a file's older label is no conflict. */
function findCotConflicts(db: Db, x: string): CotConflict[] {
  const annotated = 'EXISTS (SELECT 1 FROM main.annotations a WHERE a.cot_id = mc.id)';
  const stepsDiffer = `EXISTS (SELECT 1 FROM ${x}.steps s JOIN main.steps ms ON ms.cot_id = mc.id AND ms.idx = s.idx
    WHERE s.cot_id = c.id AND ms.text != s.text)`;
  const labelsDiffer = `(c.correct IS NOT NULL AND mc.correct IS NOT c.correct AND NOT ${annotated})
    OR EXISTS (SELECT 1 FROM ${x}.steps s JOIN main.steps ms ON ms.cot_id = mc.id AND ms.idx = s.idx
      WHERE s.cot_id = c.id AND ((s.mc IS NOT NULL AND (ms.mc IS NOT s.mc OR ms.k IS NOT s.k))
        OR (s.human IS NOT NULL AND ms.human IS NOT s.human AND NOT ${annotated})))`;
  return db
    .prepare(
      `SELECT * FROM (
         SELECT c.id AS stageId, mc.id AS storedId, q.ext_id AS qid, c.ext_id AS cotId, c.record, c.n_records AS records,
           CASE WHEN mc.n_steps != c.n_steps OR ${stepsDiffer} THEN 'steps'
                WHEN c.answer IS NOT NULL AND mc.answer IS NOT c.answer THEN 'answer'
                WHEN ${labelsDiffer} THEN 'labels' END AS what
           FROM ${x}.cots c JOIN ${x}.questions q ON q.qkey = c.qkey ${STORED_QUESTION}
           JOIN main.cots mc ON mc.question_id = mq.id AND mc.ext_id = c.ext_id)
       WHERE what IS NOT NULL ORDER BY record`,
    )
    .all() as CotConflict[];
}

/** One entry per reason, with its first records and one example. */
function reportQuestions(db: Db, x: string, found: QuestionConflict[], policy: ConflictPolicy): ImportConflict[] {
  const recordsOf = db.prepare(`SELECT record, n_records AS n FROM ${x}.cots WHERE qkey = ? ORDER BY record`);
  const out = new Map<string, ImportConflict>();
  for (const q of found) {
    const textDiffers = q.text !== q.storedText;
    const reason = textDiffers ? 'question text differs from the stored question with the same qid' : 'ground truth differs from the stored question\'s';
    const rows = recordsOf.all(q.qkey) as { record: number; n: number }[];
    const entry = out.get(reason) ?? newEntry('question', reason, policy, {
      qid: q.qid,
      cotId: null,
      stored: short(textDiffers ? q.storedText : q.storedAnswer),
      file: short(textDiffers ? q.text : q.answer),
    });
    out.set(reason, entry);
    for (const r of rows) addRecords(entry, r.record, r.n);
  }
  return [...out.values()];
}

function reportCots(db: Db, x: string, found: CotConflict[], policy: ConflictPolicy): ImportConflict[] {
  const out = new Map<string, ImportConflict>();
  for (const c of found) {
    const reason = COT_REASONS[c.what];
    const entry = out.get(reason) ?? newEntry('cot', reason, policy, { qid: c.qid, cotId: c.cotId, ...cotExample(db, x, c) });
    out.set(reason, entry);
    addRecords(entry, c.record, c.records);
  }
  return [...out.values()];
}

interface StepRow {
  idx: number;
  text: string;
  mc: number | null;
  k: number | null;
  human: number | null;
}

/** The first thing that differs, on both sides: "step 2: ...", or the answer, or the correctness. */
function cotExample(db: Db, x: string, c: CotConflict): { stored: string; file: string } {
  const field = (col: string) => ({
    stored: `${col} ${describe(db.prepare(`SELECT ${col} FROM main.cots WHERE id = ?`).pluck().get(c.storedId))}`,
    file: `${col} ${describe(db.prepare(`SELECT ${col} FROM ${x}.cots WHERE id = ?`).pluck().get(c.stageId))}`,
  });
  if (c.what === 'answer') return field('answer');
  const cols = 'idx, text, mc, k, human';
  const stored = db.prepare(`SELECT ${cols} FROM main.steps WHERE cot_id = ? ORDER BY idx`).all(c.storedId) as StepRow[];
  const file = db.prepare(`SELECT ${cols} FROM ${x}.steps WHERE cot_id = ? ORDER BY idx`).all(c.stageId) as StepRow[];
  const show = c.what === 'steps' ? (s: StepRow) => short(s.text) : (s: StepRow) => `m ${s.mc ?? '-'}, k ${s.k ?? '-'}, label ${s.human ?? '-'}`;
  const n = Math.max(stored.length, file.length);
  let i = 0;
  while (i < n && stored[i] && file[i] && show(stored[i]) === show(file[i])) i++;
  if (i === n) return field('correct');
  const at = (rows: StepRow[]) => (rows[i] ? `step ${i + 1}: ${show(rows[i])}` : `${rows.length} steps`);
  return { stored: at(stored), file: at(file) };
}

function newEntry(kind: ImportConflict['kind'], reason: string, policy: ConflictPolicy, example: ImportConflict['example']): ImportConflict {
  return { kind, reason, action: ACTIONS[policy], count: 0, first: [], example };
}

function addRecords(entry: ImportConflict, record: number, n: number): void {
  entry.count += n;
  if (entry.first.length < 5) entry.first.push(record);
}

function dropQuestions(db: Db, x: string, found: QuestionConflict[]): void {
  const stmts = [`DELETE FROM ${x}.steps WHERE cot_id IN (SELECT id FROM ${x}.cots WHERE qkey = ?)`, `DELETE FROM ${x}.cots WHERE qkey = ?`,
    `DELETE FROM ${x}.q_images WHERE qkey = ?`, `DELETE FROM ${x}.questions WHERE qkey = ?`].map((sql) => db.prepare(sql));
  for (const q of found) for (const s of stmts) s.run(q.qkey);
}

function dropCots(db: Db, x: string, found: CotConflict[]): void {
  const steps = db.prepare(`DELETE FROM ${x}.steps WHERE cot_id = ?`);
  const cot = db.prepare(`DELETE FROM ${x}.cots WHERE id = ?`);
  for (const c of found) {
    steps.run(c.stageId);
    cot.run(c.stageId);
  }
}

function replaceQuestions(db: Db, found: QuestionConflict[]): void {
  const update = db.prepare('UPDATE main.questions SET text = ?, answer = coalesce(?, answer) WHERE id = ?');
  for (const q of found) update.run(q.text, q.answer, q.storedId);
}

/** The stored CoT keeps its id (runs, evaluations and annotations still point to it) and takes the file's content. */
function replaceCots(db: Db, x: string, found: CotConflict[], sourceId: number): void {
  const clear = db.prepare('DELETE FROM main.steps WHERE cot_id = ?');
  const steps = db.prepare(
    `INSERT INTO main.steps (cot_id, idx, text, mc, k, human, vector) SELECT ?, idx, text, mc, k, human, vector FROM ${x}.steps WHERE cot_id = ? ORDER BY idx`,
  );
  const cot = db.prepare(
    `UPDATE main.cots SET (answer, correct, n_steps, source_id) = (SELECT answer, correct, n_steps, ? FROM ${x}.cots WHERE id = ?) WHERE id = ?`,
  );
  for (const c of found) {
    clear.run(c.storedId);
    steps.run(c.storedId, c.stageId);
    cot.run(sourceId, c.stageId, c.storedId);
  }
}

/** For messages: "question "q7"" or "CoT "a" of question "q7"". */
export function conflictTarget(c: ImportConflict): string {
  return c.example.cotId === null ? `question ${describe(c.example.qid)}` : `CoT ${describe(c.example.cotId)} of question ${describe(c.example.qid)}`;
}
