import type { Db } from '../store/db';
import { normaliseAnswer } from './answers';

export interface TestCandidate {
  cotId: number;
  questionId: number;
  correct: boolean;
  answer: string;
  nSteps: number;
  /** per-step binary label where known (human over Monte Carlo m ≥ 0.5), else null */
  stepLabels: (boolean | null)[];
}

export interface TestQuestion {
  questionId: number;
  benchmark: string;
  /** the question's task where the data gives one (canonical JSONL `task`), else null */
  task: string | null;
  candidates: TestCandidate[];
}

/**
 * The test pool as best-of-N sees it: questions of test-pool domains (one domain = one
 * benchmark) with their candidates. Candidates without a correctness label cannot be judged
 * and are left out; `skipped` counts them.
 */
export function loadTestPool(db: Db): { questions: TestQuestion[]; skipped: number } {
  const rows = db
    .prepare(
      `SELECT c.id AS cotId, c.question_id AS questionId, d.name AS benchmark, q.task, c.answer, c.correct,
              c.n_steps AS nSteps
         FROM cots c
         JOIN questions q ON q.id = c.question_id
         JOIN domains d ON d.id = q.domain_id
        WHERE d.pool = 'test' AND d.excluded = 0
        ORDER BY d.name, q.id, c.id`,
    )
    .all() as {
    cotId: number;
    questionId: number;
    benchmark: string;
    task: string | null;
    answer: string | null;
    correct: number | null;
    nSteps: number;
  }[];
  const labelRows = db
    .prepare(
      `SELECT s.cot_id AS cotId, s.idx, s.mc, s.human
         FROM steps s JOIN cots c ON c.id = s.cot_id JOIN questions q ON q.id = c.question_id
         JOIN domains d ON d.id = q.domain_id
        WHERE d.pool = 'test' AND d.excluded = 0 AND (s.mc IS NOT NULL OR s.human IS NOT NULL)`,
    )
    .all() as { cotId: number; idx: number; mc: number | null; human: number | null }[];
  const labels = new Map<number, Map<number, boolean>>();
  for (const r of labelRows) {
    const m = labels.get(r.cotId) ?? new Map<number, boolean>();
    m.set(r.idx, r.human != null ? r.human === 1 : (r.mc as number) >= 0.5);
    labels.set(r.cotId, m);
  }
  const byQuestion = new Map<number, TestQuestion>();
  let skipped = 0;
  for (const r of rows) {
    if (r.correct == null) {
      skipped++;
      continue;
    }
    let q = byQuestion.get(r.questionId);
    if (!q) {
      q = { questionId: r.questionId, benchmark: r.benchmark, task: r.task, candidates: [] };
      byQuestion.set(r.questionId, q);
    }
    const known = labels.get(r.cotId);
    q.candidates.push({
      cotId: r.cotId,
      questionId: r.questionId,
      correct: r.correct === 1,
      answer: normaliseAnswer(r.answer),
      nSteps: r.nSteps,
      stepLabels: Array.from({ length: r.nSteps }, (_, i) => known?.get(i) ?? null),
    });
  }
  return { questions: [...byQuestion.values()], skipped };
}
