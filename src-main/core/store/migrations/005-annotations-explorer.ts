import type { Migration } from './migration';

/**
 * Looking inside runs and correcting labels: app settings (the annotator's name), the history
 * of human labels (for undo and export), CoTs promoted into the meta pool, the registry of the
 * explorer's per-run instance tables, what each run was started with, and indexes for
 * searching questions by id or text prefix.
 */
export const m005AnnotationsExplorer: Migration = {
  version: 5,
  name: 'annotations-explorer',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      -- Every human label given, oldest first. A target is a step (step_idx set) or a CoT's
      -- correctness (step_idx NULL). value NULL clears the label. previous is what the target
      -- held before (steps.human or cots.correct), which an undo puts back.
      CREATE TABLE annotations (
        id INTEGER PRIMARY KEY,
        cot_id INTEGER NOT NULL REFERENCES cots(id) ON DELETE CASCADE,
        step_idx INTEGER,
        value INTEGER CHECK (value IN (0, 1)),
        previous INTEGER CHECK (previous IN (0, 1)),
        annotator TEXT NOT NULL,
        created_at TEXT NOT NULL,
        undone_at TEXT
      );
      CREATE INDEX annotations_target ON annotations(cot_id, step_idx, id);
      CREATE INDEX annotations_active ON annotations(undone_at, id);

      -- CoTs copied into the meta pool so that the upper level learns from human judgement.
      CREATE TABLE meta_promotions (
        source_cot_id INTEGER PRIMARY KEY REFERENCES cots(id) ON DELETE CASCADE,
        meta_cot_id INTEGER NOT NULL REFERENCES cots(id) ON DELETE CASCADE,
        promoted_at TEXT NOT NULL,
        annotator TEXT NOT NULL
      );
      CREATE INDEX meta_promotions_meta ON meta_promotions(meta_cot_id);

      -- The explorer's materialised instance table of a run (one table per run, named here,
      -- so it can be bulk-built and indexed afterwards). weight is the snapshot at step,
      -- weight0 the one at first_step.
      CREATE TABLE explore_tables (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        table_name TEXT NOT NULL UNIQUE,
        step INTEGER NOT NULL,
        first_step INTEGER NOT NULL,
        instances INTEGER NOT NULL,
        domain_names TEXT NOT NULL,
        built_at TEXT NOT NULL,
        seconds REAL NOT NULL,
        losses_step INTEGER
      );

      -- CoTs per pool and domain that a run was started with, as the trainer reads them.
      CREATE TABLE run_inputs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        pool TEXT NOT NULL,
        domain TEXT NOT NULL,
        cots INTEGER NOT NULL,
        human_steps INTEGER NOT NULL,
        PRIMARY KEY (run_id, pool, domain)
      ) WITHOUT ROWID;

      CREATE INDEX questions_ext_nocase ON questions(ext_id COLLATE NOCASE);
      CREATE INDEX questions_text_prefix ON questions(substr(text, 1, 80) COLLATE NOCASE);
    `);
  },
};
