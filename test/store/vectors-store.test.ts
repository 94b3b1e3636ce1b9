import { describe, expect, it } from 'vitest';
import { openDb } from '../../src-main/core/store/db';
import { stepVectorCounts } from '../../src-main/core/store/vectors-store';
import { seedCot, seedQuestions } from '../policy/fixtures';

const vec = (n: number) => Buffer.from(new Float32Array(n).buffer);

describe('step vector counts', () => {
  it('counts steps with a vector per pool, leaves excluded domains out, and lists every length found', () => {
    const db = openDb(':memory:');
    expect(stepVectorCounts(db)).toEqual({ pools: [], dims: [] });
    const [t] = seedQuestions(db, 'train', 'chartqa', 1);
    const [x] = seedQuestions(db, 'train', 'junk', 1);
    const [q] = seedQuestions(db, 'test', 'BenchA', 1);
    const a = seedCot(db, t, 'a', ['s1', 's2', 's3']);
    seedCot(db, x, 'x', ['s1']);
    const b = seedCot(db, q, 'b', ['s1', 's2']);
    expect(stepVectorCounts(db)).toEqual({ pools: [], dims: [] });

    db.prepare(`UPDATE steps SET vector = ? WHERE cot_id = ? AND idx < 2`).run(vec(8), a);
    db.prepare(`UPDATE steps SET vector = ? WHERE cot_id = ?`).run(vec(4), b);
    db.prepare(`UPDATE domains SET excluded = 1 WHERE name = 'junk'`).run();
    expect(stepVectorCounts(db)).toEqual({
      pools: [
        { pool: 'train', steps: 3, withVector: 2 },
        { pool: 'test', steps: 2, withVector: 2 },
      ],
      dims: [4, 8],
    });
    db.close();
  });
});
