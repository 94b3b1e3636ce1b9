import { splitSteps } from '../data/split-steps';
import { normaliseAnswer } from '../eval/answers';

export interface MatchOptions {
  /** numbers match when |a - b| <= max(absTol, relTol * max(|a|, |b|)) */
  relTol?: number;
  absTol?: number;
}

export const DEFAULT_MATCH: Required<MatchOptions> = { relTol: 1e-6, absTol: 1e-9 };

// "Final answer: X" anywhere (the last one wins): models sometimes add a line after it.
const FINAL_ANSWER = /(?:final\s+answer|answer)\s*\**\s*(?:is\s*)?[:：]\s*\**\s*([^\n]+)/gi;

/** The final answer a completion states, or null when it never states one. */
export function extractFinalAnswer(text: string): string | null {
  const split = splitSteps(text).finalAnswer;
  if (split !== undefined) return split;
  let last: string | null = null;
  for (const m of text.matchAll(FINAL_ANSWER)) last = m[1].replace(/[*\s]+$/, '').trim() || last;
  return last;
}

/**
 * Whether a model's answer equals the ground truth: the same after normalisation (case,
 * spacing, punctuation), the same number within tolerance, or the same multiple-choice letter
 * ("(B)", "B", "b.", "B) 42 apples" all match "B").
 */
export function answersMatch(candidate: string | null | undefined, truth: string | null | undefined, opts: MatchOptions = {}): boolean {
  if (candidate == null || truth == null) return false;
  const a = normaliseAnswer(candidate);
  const b = normaliseAnswer(truth);
  if (!a || !b) return false;
  if (a === b) return true;
  const tol = { ...DEFAULT_MATCH, ...opts };
  const x = numberOf(a);
  const y = numberOf(b);
  if (x !== null && y !== null) return Math.abs(x - y) <= Math.max(tol.absTol, tol.relTol * Math.max(Math.abs(x), Math.abs(y)));
  const la = choiceLetter(a);
  const lb = choiceLetter(b);
  return la !== null && la === lb;
}

/** A number written as "1,234.5", "$12", "45%", "3/4" or "-2e-3"; null for anything else. */
export function numberOf(s: string): number | null {
  const t = s.replace(/,/g, '').replace(/^\$/, '').trim();
  const frac = /^([-+]?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(t);
  if (frac) {
    const d = Number(frac[2]);
    return d === 0 ? null : Number(frac[1]) / d;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?%?$/i.test(t)) return null;
  const v = Number(t.replace('%', ''));
  return Number.isFinite(v) ? v : null;
}

/** The option letter of a multiple-choice answer: "b", "(b)", "b.", "b) text", "option b". */
export function choiceLetter(normalised: string): string | null {
  const m = /^(?:option\s+|choice\s+)?\(?([a-z])(?:\)|\.|:|$)(?:\s|$)/.exec(normalised);
  return m ? m[1] : null;
}
