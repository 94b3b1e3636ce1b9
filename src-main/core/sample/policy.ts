import type { SampleRng } from './rng';
import { PHRASINGS } from './tasks/problem';
import type { Problem, StepPlan } from './tasks';
import { misread } from './tasks/item';

/** The policy's error knobs for a pool or domain (see the README's config section). */
export interface PolicyKnobs {
  /** mean probability of misreading one value from the image */
  policyErrorRate: number;
  /** mean probability of a wrong result in one arithmetic step */
  arithmeticErrorRate: number;
  /** 0: every question equally hard; 1: per-question error rates spread from 0 to twice the mean */
  hardnessSpread: number;
  /** share of questions with a trap: one value the policy misreads the same way most times */
  trapRate: number;
  /** how often, at least, the policy falls into a question's trap when it reads that value (up to 0.995) */
  trapStrength: number;
}

/** The policy's error probabilities on one question (fixed across all its CoTs and rollouts). */
export interface QuestionPolicy {
  readError: number[];
  /** per item: share of its misreadings that are the habitual one */
  habitual: number[];
  arithError: number;
}

/** Share of misreadings that are the question's habitual one (correlated mistakes). */
const HABITUAL_MISREAD = 0.7;

/**
 * A question's error probabilities. Real models fail the same question the same way: besides
 * each question's own hardness and habitual misreading, a share `trapRate` of questions has a
 * trap - one value (an item with a plausible misreading) that the policy misreads as its
 * habitual wrong value in `trapStrength` of its readings. Then most candidates agree on one
 * wrong answer, majority vote follows them, and only a verifier that looks at the image can
 * find the few right ones.
 */
export function questionPolicy(problem: Problem, knobs: PolicyKnobs, rng: SampleRng): QuestionPolicy {
  const hardness = 1 + knobs.hardnessSpread * (2 * rng.next() - 1);
  const clamp = (p: number) => Math.min(0.95, Math.max(0, p));
  const readError = problem.items.map((it) => (it.alternatives.length > 0 ? clamp(knobs.policyErrorRate * hardness * it.factor) : 0));
  const habitual = problem.items.map(() => HABITUAL_MISREAD);
  const readable = problem.items.flatMap((it, i) => (it.alternatives.length > 0 ? [i] : []));
  if (knobs.trapRate > 0 && readable.length && rng.chance(knobs.trapRate)) {
    const trap = rng.pick(readable);
    // Traps differ in depth: from trapStrength up to nearly always (a question no sample gets right).
    readError[trap] = Math.max(readError[trap], knobs.trapStrength + (0.995 - knobs.trapStrength) * rng.next());
    habitual[trap] = 1;
  }
  return { readError, habitual, arithError: clamp(knobs.arithmeticErrorRate * hardness) };
}

/** One chain of thought: its step texts, the slot values it wrote, and the truth per step. */
export interface Trace {
  texts: string[];
  /** step t is correct when every value written up to and including it is the true one */
  stepCorrect: boolean[];
  answer: number;
  correct: boolean;
}

/**
 * Executes step `t` of the plan on `values`, with the policy's mistakes: misreading an item,
 * or a wrong arithmetic result. Later steps use whatever earlier steps wrote, so an early
 * mistake is carried forward to the answer. Returns the step's text.
 */
function execute(problem: Problem, pol: QuestionPolicy, values: number[], t: number, rng: SampleRng, phrasing = 0): string {
  const step: StepPlan = problem.steps[t];
  switch (step.kind) {
    case 'read':
      for (const slot of step.slots) {
        const item = problem.items[slot];
        let v = item.truth;
        if (rng.chance(pol.readError[slot])) {
          v = rng.chance(pol.habitual[slot]) ? item.preferred : misread(item, rng);
        }
        values[slot] = v;
      }
      return step.render(step.slots.map((s) => values[s]), phrasing);
    case 'calc': {
      const args = step.args.map((a) => values[a]);
      let r = step.apply(args);
      if (rng.chance(pol.arithError)) r = wrongResult(r, rng);
      values[step.out] = r;
      return step.render(args, r, phrasing);
    }
    case 'answer':
      return `Answer : ${values[step.slot]}`;
  }
}

/** A plausible arithmetic slip: off by one mostly, sometimes by two; never negative. */
function wrongResult(r: number, rng: SampleRng): number {
  const delta = rng.pick([-1, 1, -1, 1, -2, 2]);
  return r + delta >= 0 ? r + delta : r + Math.abs(delta);
}

function writtenSlots(step: StepPlan): number[] {
  return step.kind === 'read' ? step.slots : step.kind === 'calc' ? [step.out] : [];
}

/** Samples a whole CoT from the policy, each step in one of its wordings. */
export function sampleCot(problem: Problem, pol: QuestionPolicy, rng: SampleRng): Trace & { values: number[][] } {
  const values: number[] = new Array(problem.truth.length).fill(Number.NaN);
  const texts: string[] = [];
  const stepCorrect: boolean[] = [];
  const snapshots: number[][] = [];
  let clean = true;
  problem.steps.forEach((step, t) => {
    texts.push(execute(problem, pol, values, t, rng, rng.between(0, PHRASINGS - 1)));
    for (const s of writtenSlots(step)) if (values[s] !== problem.truth[s]) clean = false;
    stepCorrect.push(clean);
    snapshots.push(values.slice());
  });
  const answer = values[problem.answerSlot];
  return { texts, stepCorrect, answer, correct: answer === problem.truth[problem.answerSlot], values: snapshots };
}

/**
 * Monte Carlo step labels, computed as the papers do: from the prefix ending at step t (its
 * values kept), let the policy finish the solution k times; m_t = share of finishes whose
 * answer is the true one. After the answer step the prefix is the whole CoT, so m is 0 or 1.
 */
export function monteCarloLabels(
  problem: Problem,
  pol: QuestionPolicy,
  prefixValues: number[][],
  k: number,
  rng: SampleRng,
): number[] {
  const truth = problem.truth[problem.answerSlot];
  const last = problem.steps.length - 1;
  return prefixValues.map((snapshot, t) => {
    if (t === last) return snapshot[problem.answerSlot] === truth ? 1 : 0;
    let hits = 0;
    for (let i = 0; i < k; i++) {
      const values = snapshot.slice();
      for (let u = t + 1; u <= last; u++) execute(problem, pol, values, u, rng);
      if (values[problem.answerSlot] === truth) hits++;
    }
    return hits / k;
  });
}
