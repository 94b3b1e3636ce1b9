import type { Migration } from './migration';

/**
 * The kind of a question (canonical JSONL `task`, e.g. "bars" or "chart reading"), so that
 * evaluation reports step AUROC and best-of-N per task as well as per benchmark. NULL where
 * the data does not say.
 */
export const m006QuestionTask: Migration = {
  version: 6,
  name: 'question-task',
  up(db) {
    db.exec('ALTER TABLE questions ADD COLUMN task TEXT');
  },
};
