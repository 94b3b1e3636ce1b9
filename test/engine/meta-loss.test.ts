import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/engine/batch';
import { metaLoss } from '../../src-main/core/engine/losses';
import { useTestBackend } from './setup';

beforeAll(useTestBackend);

/** A meta batch of one-step CoTs: only the fields the meta loss reads. */
function metaBatch(correct: number[], question: number[]): Batch {
  const B = correct.length;
  return {
    B,
    T: 1,
    stepMask: tf.ones([B, 1]) as tf.Tensor2D,
    correct: tf.tensor1d(correct),
    question: tf.tensor1d(question, 'int32'),
  } as unknown as Batch;
}

const rankLoss = (logits: number[], b: Batch): number =>
  tf.tidy(() => metaLoss('logodds', 'rank', tf.tensor2d(logits, [logits.length, 1]), b).dataSync()[0]);

describe("the 'rank' meta target", () => {
  it('sees only the order of the scores: a shift or a scale of every score leaves it unchanged', () => {
    const b = metaBatch([1, 0, 1, 0, 1], [1, 2, 3, 4, 5]);
    const logits = [1.2, -0.4, 0.3, 0.8, -1.1];
    const base = rankLoss(logits, b);
    expect(rankLoss(logits.map((z) => z + 2.5), b)).toBeCloseTo(base, 4);
    expect(rankLoss(logits.map((z) => 0.3 * z), b)).toBeCloseTo(base, 4);
    // an overconfident copy of the same PRM is not "worse" to the meta level
    expect(rankLoss(logits.map((z) => 4 * z - 1), b)).toBeCloseTo(base, 4);
  });

  it('is lower when correct CoTs outscore incorrect ones', () => {
    const b = metaBatch([1, 1, 0, 0], [1, 2, 3, 4]);
    expect(rankLoss([2, 1, -1, -2], b)).toBeLessThan(rankLoss([-2, -1, 1, 2], b));
  });

  it('compares CoTs of the same question when the batch has such pairs, as best-of-N does', () => {
    // question 1 scores high overall, question 2 low: across questions the order is wrong,
    // within each question it is right.
    const b = metaBatch([1, 0, 1, 0], [1, 1, 2, 2]);
    const rightWithin = rankLoss([3, 2, -2, -3], b);
    const wrongWithin = rankLoss([2, 3, -3, -2], b);
    expect(rightWithin).toBeLessThan(wrongWithin);
    // only the within-question pairs count: swapping the questions' levels changes nothing
    expect(rankLoss([-2, -3, 3, 2], b)).toBeCloseTo(rightWithin, 4);
  });

  it('falls back to all pairs when every question has one CoT', () => {
    const single = metaBatch([1, 0, 1, 0], [1, 2, 3, 4]);
    expect(rankLoss([3, 2, -2, -3], single)).toBeGreaterThan(rankLoss([3, -3, 2, -2], single));
  });

  it('is finite when the batch has no correct or no incorrect CoT', () => {
    expect(Number.isFinite(rankLoss([1, 2, 3], metaBatch([1, 1, 1], [1, 2, 3])))).toBe(true);
    expect(rankLoss([1, 2, 3], metaBatch([0, 0, 0], [1, 1, 2]))).toBe(0);
  });
});
