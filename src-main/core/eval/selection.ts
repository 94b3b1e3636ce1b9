import { DEFAULT_SELECTION, SELECTION_MODES, type SelectionMode } from '../../../src-shared/evaluation';
import { Mulberry32 } from '../random';

/**
 * How one answer is chosen from a question's N candidates, given each candidate's PRM score
 * S(c) in [0, 1] (an aggregation of its step scores):
 * - weighted-vote: W(a) = Σ S(c) over the candidates whose final answer is a; pick the
 *   largest. The default: it keeps what majority vote knows (how many candidates agree) and
 *   adds what the PRM knows, while argmax throws the agreement away. A scorer that cannot
 *   tell right from wrong then falls back to majority vote, where argmax falls below random
 *   choice (it picks among distinct texts, and correct candidates tend to repeat each other).
 * - argmax: the single highest-scoring candidate (the papers' best-of-N);
 * - majority: W(a) = number of candidates with answer a (self-consistency; ignores S).
 * Every mode splits ties evenly, so a figure is the expected accuracy of a random tie-break.
 */
export { DEFAULT_SELECTION, SELECTION_MODES, type SelectionMode };

export interface ScoredCandidate {
  correct: boolean;
  /** normalised final answer ('' when the CoT gave none: it cannot win a vote) */
  answer: string;
  /** PRM score S(c) in [0, 1] */
  score: number;
}

/** Expected accuracy of `mode` on one question's candidates (ties split evenly). */
export function selectionAccuracy(mode: SelectionMode, cands: readonly ScoredCandidate[]): number {
  if (!cands.length) return 0;
  if (mode === 'argmax') return shareCorrectOfBest(cands.map((c) => ({ weight: c.score, correct: c.correct })));
  const byAnswer = new Map<string, { weight: number; correct: boolean }>();
  for (const c of cands) {
    if (!c.answer) continue;
    const v = byAnswer.get(c.answer) ?? { weight: 0, correct: c.correct };
    v.weight += mode === 'majority' ? 1 : c.score;
    byAnswer.set(c.answer, v);
  }
  return byAnswer.size ? shareCorrectOfBest([...byAnswer.values()]) : 0;
}

/** Among the options tied at the top weight, the share that is correct. */
function shareCorrectOfBest(options: readonly { weight: number; correct: boolean }[]): number {
  let top = -Infinity;
  for (const o of options) top = Math.max(top, o.weight);
  // Sums of floats: treat weights within a relative 1e-9 of the top as tied.
  const tied = options.filter((o) => o.weight >= top - Math.abs(top) * 1e-9);
  return tied.filter((o) => o.correct).length / tied.length;
}

/** Candidate counts reported by "accuracy against N": 1, 2, 4, … and N itself. */
export function subsetSizes(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < n; k *= 2) out.push(k);
  if (n > 0) out.push(n);
  return out;
}

/** Subsets per size above which the expectation is a seeded average instead of exact. */
const EXACT_LIMIT = 256;

/**
 * Expected accuracy of `accuracy` on a uniformly random k-subset of the candidates: exact
 * over all C(n, k) subsets when there are at most 256, else the mean over 256 subsets drawn
 * with a generator seeded by `seed` (the same figures on every run).
 */
export function expectedOnSubsets<T>(items: readonly T[], k: number, accuracy: (subset: T[]) => number, seed = 1): number {
  const n = items.length;
  if (k >= n) return accuracy([...items]);
  if (binomial(n, k) <= EXACT_LIMIT) {
    let sum = 0;
    let count = 0;
    forEachSubset(n, k, (idx) => {
      sum += accuracy(idx.map((i) => items[i]));
      count++;
    });
    return sum / count;
  }
  const rng = new Mulberry32(seed);
  let sum = 0;
  for (let r = 0; r < EXACT_LIMIT; r++) sum += accuracy(sampleIndices(n, k, rng).map((i) => items[i]));
  return sum / EXACT_LIMIT;
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

function forEachSubset(n: number, k: number, visit: (idx: number[]) => void): void {
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    visit(idx);
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
}

/** k distinct indices of 0..n-1 (a partial Fisher–Yates shuffle). */
function sampleIndices(n: number, k: number, rng: Mulberry32): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}
