import type { Migration } from './migration';

/**
 * Best-of-N evaluations: the report, every candidate's per-step scores (the review UI reads
 * them) and the candidate each aggregation chose per question.
 */
export const m003Evaluations: Migration = {
  version: 3,
  name: 'evaluations',
  up(db) {
    db.exec(`
      CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY,
        run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        agg TEXT NOT NULL,
        created_at TEXT NOT NULL,
        seconds REAL NOT NULL,
        report TEXT NOT NULL
      );
      CREATE INDEX evaluations_run ON evaluations(run_id);
      -- step_scores: Float32Array of the PRM's p_t per step, little-endian.
      CREATE TABLE eval_candidates (
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        cot_id INTEGER NOT NULL REFERENCES cots(id) ON DELETE CASCADE,
        question_id INTEGER NOT NULL,
        step_scores BLOB NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (evaluation_id, cot_id)
      ) WITHOUT ROWID;
      CREATE INDEX eval_candidates_question ON eval_candidates(evaluation_id, question_id);
      CREATE TABLE eval_choices (
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        agg TEXT NOT NULL,
        chosen_cot_id INTEGER NOT NULL,
        correct INTEGER NOT NULL,
        PRIMARY KEY (evaluation_id, question_id, agg)
      ) WITHOUT ROWID;
    `);
  },
};
