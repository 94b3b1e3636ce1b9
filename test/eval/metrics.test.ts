import { describe, expect, it } from 'vitest';
import { normaliseAnswer } from '../../src-main/core/eval/answers';
import { argmax, auroc, oracle, passAt1, selfConsistency, spearman } from '../../src-main/core/eval/metrics';

const c = (correct: boolean, answer: string) => ({ correct, answer });

describe('normaliseAnswer', () => {
  it.each([
    ['Answer: 8', '8'],
    ['Final answer: 8.', '8'],
    ['  8.0 ', '8'],
    ['1,000', '1000'],
    ['(B)', 'b'],
    ['B.', 'b'],
    ['Answer : 12', '12'],
    ['Red  Square', 'red square'],
    ['', ''],
  ])('%j -> %j', (raw, want) => expect(normaliseAnswer(raw)).toBe(want));
  it('keeps different numbers apart', () => expect(normaliseAnswer('0.1')).not.toBe(normaliseAnswer('1')));
});

describe('best-of-N metrics', () => {
  const cands = [c(false, '3'), c(true, '5'), c(false, '3'), c(true, '5'), c(false, '4')];
  it('pass@1 is mean correctness', () => expect(passAt1(cands)).toBeCloseTo(0.4));
  it('oracle is any-correct', () => {
    expect(oracle(cands)).toBe(1);
    expect(oracle([c(false, '1')])).toBe(0);
  });
  it('self-consistency splits ties evenly', () => {
    expect(selfConsistency(cands)).toBe(0.5);
    expect(selfConsistency([...cands, c(true, '5')])).toBe(1);
    expect(selfConsistency([c(false, ''), c(false, '')])).toBe(0);
  });
  it('argmax takes the first of equal scores', () => expect(argmax([0.1, 0.9, 0.9])).toBe(1));
});

describe('auroc', () => {
  it('is 1 for a perfect ranking, 0.5 for constant scores, NaN for one class', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(auroc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBe(0.5);
    expect(auroc([0.1, 0.2], [true, true])).toBeNaN();
  });
  it('matches the pairwise definition', () => {
    const s = [0.3, 0.1, 0.7, 0.4, 0.4, 0.9];
    const y = [true, false, false, true, false, true];
    let wins = 0;
    let pairs = 0;
    s.forEach((si, i) =>
      s.forEach((sj, j) => {
        if (y[i] && !y[j]) {
          pairs++;
          wins += si > sj ? 1 : si === sj ? 0.5 : 0;
        }
      }),
    );
    expect(auroc(s, y)).toBeCloseTo(wins / pairs, 12);
  });
});

describe('spearman', () => {
  it('is 1 for monotone, -1 for reversed, handles ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeGreaterThan(0.9);
    expect(spearman([1, 1], [1, 2])).toBeNaN();
    expect(() => spearman([1], [1, 2])).toThrow(/lengths differ/);
  });
});
