/**
 * A question's candidates by final answer: what majority vote counts and what PRM vote sums
 * (each candidate's aggregate score), and candidates whose steps are word for word the same.
 */

export interface GroupedCandidate {
  /** the normalised final answer ('' when there is none) */
  answerKey: string;
  answer: string | null;
  correct: boolean | null;
  /** aggregate PRM score in [0, 1] */
  score: number;
  steps: { text: string }[];
}

export interface AnswerGroup {
  key: string;
  /** the answer as the first candidate wrote it */
  answer: string | null;
  /** indices into the candidates, in their order */
  members: number[];
  correct: boolean | null;
  scoreSum: number;
  /** majority vote's pick (ties: every tied group) */
  majority: boolean;
  /** PRM vote's pick: the largest score sum (ties: every tied group) */
  vote: boolean;
}

/** Groups by normalised answer, largest first; a candidate without an answer cannot win a vote. */
export function answerGroups(cands: readonly GroupedCandidate[]): AnswerGroup[] {
  const byKey = new Map<string, AnswerGroup>();
  cands.forEach((c, i) => {
    const g = byKey.get(c.answerKey) ?? { key: c.answerKey, answer: c.answer, members: [], correct: c.correct, scoreSum: 0, majority: false, vote: false };
    g.members.push(i);
    g.scoreSum += c.score;
    if (g.correct === null) g.correct = c.correct;
    byKey.set(c.answerKey, g);
  });
  const groups = [...byKey.values()];
  const voting = groups.filter((g) => g.key !== '');
  const topCount = Math.max(0, ...voting.map((g) => g.members.length));
  const topSum = Math.max(0, ...voting.map((g) => g.scoreSum));
  for (const g of voting) {
    g.majority = g.members.length === topCount;
    // Sums of floats: within a relative 1e-9 of the top is a tie, as the evaluation counts it.
    g.vote = g.scoreSum >= topSum - Math.abs(topSum) * 1e-9;
  }
  return groups.sort((a, b) => b.members.length - a.members.length || b.scoreSum - a.scoreSum || a.key.localeCompare(b.key));
}

/** For each candidate, how many candidates (itself included) have the same steps and answer, word for word. */
export function identicalCounts(cands: readonly GroupedCandidate[]): number[] {
  const sig = cands.map((c) => `${c.answer ?? ''}\u0000${c.steps.map((s) => s.text.trim()).join('\u0000')}`);
  const counts = new Map<string, number>();
  for (const s of sig) counts.set(s, (counts.get(s) ?? 0) + 1);
  return sig.map((s) => counts.get(s)!);
}
