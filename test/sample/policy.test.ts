import { describe, expect, it } from 'vitest';
import { monteCarloLabels, questionPolicy, sampleCot, type QuestionPolicy } from '../../src-main/core/sample/policy';
import { SampleRng } from '../../src-main/core/sample/rng';
import { makeProblem } from '../../src-main/core/sample/tasks';

const bars = (seed: number) => makeProblem('bars', new SampleRng(seed), true); // 3 reads, 2 sums, answer

describe('simulated policy', () => {
  it('solves every step right when it makes no mistakes, and then every label is 1', () => {
    const rng = new SampleRng(1);
    const p = bars(1);
    const pol: QuestionPolicy = { readError: [0, 0, 0], habitual: [0.7, 0.7, 0.7], arithError: 0 };
    const cot = sampleCot(p, pol, rng);
    expect(cot.correct).toBe(true);
    expect(cot.stepCorrect).toEqual([true, true, true, true, true, true]);
    expect(cot.texts.at(-1)).toBe(`Answer : ${p.truth[p.answerSlot]}`);
    expect(monteCarloLabels(p, pol, cot.values, 8, rng)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('carries a misreading forward: every later step is wrong, and no rollout recovers', () => {
    const rng = new SampleRng(2);
    const p = bars(2);
    const pol: QuestionPolicy = { readError: [1, 0, 0], habitual: [0.7, 0.7, 0.7], arithError: 0 };
    const cot = sampleCot(p, pol, rng);
    expect(cot.stepCorrect.every((c) => !c)).toBe(true);
    expect(cot.correct).toBe(false);
    // the continuation keeps the prefix's (wrong) value and computes on from it
    const [a, b] = [cot.texts[0], cot.texts[1]].map((t) => Number(/(\d+)/.exec(t)![1]));
    expect(cot.texts[3].match(/\d+/g)!.map(Number)).toEqual([a, b, a + b]);
    expect(monteCarloLabels(p, pol, cot.values, 16, rng)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('labels a prefix by the share of rollouts from it that reach the answer', () => {
    const rng = new SampleRng(3);
    const p = bars(3);
    // only the third read can go wrong, with probability 0.3: from a right prefix m ≈ 0.7
    const pol: QuestionPolicy = { readError: [0, 0, 0.3], habitual: [0.7, 0.7, 0.7], arithError: 0 };
    let cot = sampleCot(p, pol, rng);
    while (!cot.correct) cot = sampleCot(p, pol, rng);
    const m = monteCarloLabels(p, pol, cot.values, 2000, rng);
    expect(m[0]).toBeGreaterThan(0.66);
    expect(m[0]).toBeLessThan(0.74);
    expect(m[1]).toBeGreaterThan(0.66);
    expect(m.slice(2)).toEqual([1, 1, 1, 1]); // past the risky read nothing can go wrong
  });

  it('makes arithmetic slips the text shows', () => {
    const rng = new SampleRng(4);
    const p = bars(4);
    const pol: QuestionPolicy = { readError: [0, 0, 0], habitual: [0.7, 0.7, 0.7], arithError: 1 };
    const cot = sampleCot(p, pol, rng);
    const [a, b, sum] = cot.texts[3].match(/\d+/g)!.map(Number);
    expect(a + b).not.toBe(sum);
    expect(cot.stepCorrect).toEqual([true, true, true, false, false, false]);
  });

  it('spreads per-question error rates around the mean by the hardness spread', () => {
    const rng = new SampleRng(5);
    const p = bars(5);
    const knobs = { policyErrorRate: 0.2, arithmeticErrorRate: 0.05, hardnessSpread: 1, trapRate: 0, trapStrength: 0.9 };
    const rates = Array.from({ length: 4000 }, () => questionPolicy(p, knobs, rng).arithError);
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    expect(mean).toBeGreaterThan(0.048);
    expect(mean).toBeLessThan(0.052);
    expect(Math.min(...rates)).toBeLessThan(0.005);
    expect(Math.max(...rates)).toBeGreaterThan(0.095);
    const flat = questionPolicy(p, { ...knobs, hardnessSpread: 0 }, rng);
    expect(flat.arithError).toBe(0.05);
  });

  it('sets a trap in trapRate of the questions: one read item misread the habitual way at least trapStrength of the time', () => {
    const rng = new SampleRng(6);
    const knobs = { policyErrorRate: 0.05, arithmeticErrorRate: 0, hardnessSpread: 0, trapRate: 0.4, trapStrength: 0.9 };
    const pols = Array.from({ length: 3000 }, () => questionPolicy(bars(rng.between(1, 1e6)), knobs, rng));
    const trapped = pols.filter((q) => q.habitual.includes(1));
    expect(trapped.length / pols.length).toBeGreaterThan(0.37);
    expect(trapped.length / pols.length).toBeLessThan(0.43);
    for (const q of trapped) {
      const i = q.habitual.indexOf(1);
      expect(q.readError[i]).toBeGreaterThanOrEqual(0.9);
      expect(q.readError[i]).toBeLessThanOrEqual(0.995);
      expect(q.habitual.filter((h) => h === 1).length).toBe(1);
    }
  });

  it('candidates of a trapped question mostly agree on one wrong answer (correlated mistakes)', () => {
    const rng = new SampleRng(7);
    const p = bars(7);
    const pol: QuestionPolicy = { readError: [0.95, 0, 0], habitual: [1, 0.7, 0.7], arithError: 0 };
    const answers = Array.from({ length: 200 }, () => sampleCot(p, pol, rng)).filter((c) => !c.correct).map((c) => c.answer);
    const top = Math.max(...[...new Set(answers)].map((a) => answers.filter((x) => x === a).length));
    expect(answers.length).toBeGreaterThan(170);
    expect(top).toBe(answers.length);
  });
});
