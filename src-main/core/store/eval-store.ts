import type { AggName, EvaluationReport, EvaluationSummary } from '../../../src-shared/evaluation';

export type { EvaluationSummary };
import type { Db } from './db';

export type StoredReport = Omit<EvaluationReport, 'evaluationId'>;

export function floatsToBlob(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

export function blobToFloats(b: Buffer): Float32Array {
  // Copy: a Buffer from SQLite may not be 4-byte aligned.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** One scored candidate as stored: its step scores and their aggregate under the report's aggregation. */
export interface StoredCandidate {
  cotId: number;
  questionId: number;
  stepScores: Float32Array;
  score: number;
}

/** Writes an evaluation in one transaction: report, every candidate's step scores, the choices. */
export function saveEvaluation(
  db: Db,
  report: StoredReport,
  candidates: readonly StoredCandidate[],
  choices: { questionId: number; agg: AggName; cotId: number; correct: boolean }[],
): number {
  const insertEval = db.prepare(
    `INSERT INTO evaluations (run_id, label, agg, created_at, seconds, report) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insertCand = db.prepare(
    `INSERT INTO eval_candidates (evaluation_id, cot_id, question_id, step_scores, score) VALUES (?, ?, ?, ?, ?)`,
  );
  const insertChoice = db.prepare(
    `INSERT INTO eval_choices (evaluation_id, question_id, agg, chosen_cot_id, correct) VALUES (?, ?, ?, ?, ?)`,
  );
  return db.transaction(() => {
    const id = Number(
      insertEval.run(report.runId, report.label, report.agg, new Date().toISOString(), report.seconds, JSON.stringify(report))
        .lastInsertRowid,
    );
    for (const c of candidates) insertCand.run(id, c.cotId, c.questionId, floatsToBlob(c.stepScores), c.score);
    for (const ch of choices) insertChoice.run(id, ch.questionId, ch.agg, ch.cotId, ch.correct ? 1 : 0);
    return id;
  })();
}

export function listEvaluations(db: Db, runId?: number): EvaluationSummary[] {
  const sql = `SELECT id AS evaluationId, run_id AS runId, label, agg, created_at AS createdAt, seconds
                 FROM evaluations ${runId == null ? '' : 'WHERE run_id = ?'} ORDER BY id`;
  const stmt = db.prepare(sql);
  return (runId == null ? stmt.all() : stmt.all(runId)) as EvaluationSummary[];
}

export function getEvaluation(db: Db, evaluationId: number): EvaluationReport | undefined {
  const row = db.prepare(`SELECT report FROM evaluations WHERE id = ?`).get(evaluationId) as { report: string } | undefined;
  return row ? { evaluationId, ...(JSON.parse(row.report) as StoredReport) } : undefined;
}

/** The newest evaluation of a run, if any. */
export function latestEvaluationOf(db: Db, runId: number): EvaluationReport | undefined {
  const id = db.prepare(`SELECT max(id) FROM evaluations WHERE run_id = ?`).pluck().get(runId) as number | null;
  return id == null ? undefined : getEvaluation(db, id);
}
