import { describe, expect, it } from 'vitest';
import { evaluate, type StepScorer } from '../../src-main/core/eval/evaluate';
import { openDb, type Db } from '../../src-main/core/store/db';
import { getEvaluation, listEvaluations, blobToFloats } from '../../src-main/core/store/eval-store';

/** A test pool written directly: benchmark -> questions -> candidates (correct?, answer). */
function seed(db: Db, pool: Record<string, [boolean, string][][]>): Map<number, boolean> {
  const correctOf = new Map<number, boolean>();
  for (const [bench, questions] of Object.entries(pool)) {
    const d = db.prepare(`INSERT INTO domains (name, pool) VALUES (?, 'test')`).run(bench).lastInsertRowid;
    questions.forEach((cands, qi) => {
      const q = db
        .prepare(`INSERT INTO questions (ext_id, domain_id, text) VALUES (?, ?, ?)`)
        .run(`${bench}-${qi}`, d, `question ${qi}`).lastInsertRowid;
      cands.forEach(([correct, answer], ci) => {
        const c = Number(
          db
            .prepare(`INSERT INTO cots (question_id, ext_id, answer, correct, n_steps) VALUES (?, ?, ?, ?, 2)`)
            .run(q, `c${ci}`, answer, correct ? 1 : 0).lastInsertRowid,
        );
        db.prepare(`INSERT INTO steps (cot_id, idx, text, mc) VALUES (?, 0, 'a', ?), (?, 1, 'b', ?)`).run(
          c, correct ? 1 : 0.8, c, correct ? 1 : 0,
        );
        correctOf.set(c, correct);
      });
    });
  }
  return correctOf;
}

describe('evaluate (best-of-N)', () => {
  it('computes pass@1, self-consistency, oracle and PRM best-of-N per benchmark and stores it all', async () => {
    const db = openDb(':memory:');
    const correctOf = seed(db, {
      BenchA: [
        [[false, '3'], [true, '5'], [false, '3']], // majority wrong; a correct one exists
        [[false, '1'], [false, '2']], // no correct candidate
      ],
      BenchB: [[[true, '7'], [true, '7'], [false, '8']]],
    });
    // A perfect PRM: correct CoTs score high at every step.
    const scorer: StepScorer = async (ids) => ids.map((id) => Float32Array.from(correctOf.get(id) ? [0.9, 0.9] : [0.9, 0.1]));
    const progress: number[] = [];
    const report = await evaluate(db, { runId: null, label: 'perfect', scorer, onProgress: (d) => progress.push(d) });

    const a = report.benchmarks.find((b) => b.benchmark === 'BenchA')!;
    expect(a.questions).toBe(2);
    expect(a.candidates).toBe(5);
    expect(a.passAt1).toBeCloseTo(((1 / 3) * 100 + 0) / 2, 1);
    expect(a.selfConsistency).toBe(0);
    expect(a.oracle).toBe(50);
    expect(a.bon.logodds).toBe(50);
    expect(a.bon.min).toBe(50);
    // max sees only the identical first steps: a three-way tie, split evenly (1 of 3 correct on one of two questions)
    expect(a.bon.max).toBeCloseTo(100 / 6, 1);
    expect(a.stepAuroc).toBeGreaterThan(0.7);
    expect(report.average.oracle).toBe(75);
    expect(report.average.bon.logodds).toBe(75);
    expect(progress.at(-1)).toBe(8);

    const stored = getEvaluation(db, report.evaluationId)!;
    expect(stored.average).toEqual(report.average);
    expect(listEvaluations(db)).toHaveLength(1);
    expect(db.prepare(`SELECT count(*) FROM eval_candidates`).pluck().get()).toBe(8);
    expect(db.prepare(`SELECT count(*) FROM eval_choices WHERE agg = 'logodds'`).pluck().get()).toBe(3);
    const blob = db.prepare(`SELECT step_scores FROM eval_candidates LIMIT 1`).pluck().get() as Buffer;
    expect(Array.from(blobToFloats(blob))).toHaveLength(2);
    db.close();
  });

  it('refuses an empty test pool with a message saying what to do', async () => {
    const db = openDb(':memory:');
    await expect(evaluate(db, { runId: null, label: 'x', scorer: async () => [] })).rejects.toThrow(
      /test pool has no candidates.*--pool test/,
    );
    expect(listEvaluations(db)).toHaveLength(0);
    db.close();
  });

  it('writes nothing when the scorer fails', async () => {
    const db = openDb(':memory:');
    seed(db, { B: [[[true, '1'], [false, '2']]] });
    await expect(
      evaluate(db, { runId: null, label: 'x', scorer: async () => { throw new Error('model gone'); } }),
    ).rejects.toThrow('model gone');
    expect(db.prepare(`SELECT count(*) FROM evaluations`).pluck().get()).toBe(0);
    db.close();
  });
});
