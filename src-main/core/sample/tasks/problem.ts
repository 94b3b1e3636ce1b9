import type { Canvas } from '../raster';

export type TaskName = 'bars' | 'count' | 'gauge' | 'grid' | 'compare' | 'path';
export const TASK_NAMES: readonly TaskName[] = ['bars', 'count', 'gauge', 'grid', 'compare', 'path'];

/**
 * A value the policy must read off the image. Its misreadings (off by one, or a neighbouring
 * item's value) are chosen so that none can be told from a true reading by the text alone;
 * `preferred` is this question's habitual misreading, which makes a model's mistakes on one
 * question correlated, as real models' are.
 */
export interface ReadItem {
  truth: number;
  /** off-by-one values inside the range */
  nearby: number[];
  /** values of neighbouring items the question does not ask about */
  neighbours: number[];
  /** all plausible misreadings; empty when there is none: the item is then always read right */
  alternatives: number[];
  preferred: number;
  /** relative difficulty of reading this item (multiplies the misread probability) */
  factor: number;
}

/**
 * A worked solution as a small program over numbered slots: slots 0..items-1 hold read values,
 * later slots the results of calculations. The simulated policy executes it step by step with
 * mistakes; the MC labeller re-executes its tail from any prefix.
 */
export type StepPlan =
  | { kind: 'read'; slots: number[]; render: (values: number[], phrasing: number) => string }
  | {
      kind: 'calc';
      out: number;
      args: number[];
      apply: (args: number[]) => number;
      render: (args: number[], result: number, phrasing: number) => string;
    }
  | { kind: 'answer'; slot: number };

export interface Problem {
  task: TaskName;
  question: string;
  canvas: Canvas;
  items: ReadItem[];
  steps: StepPlan[];
  /** the correct value of every slot */
  truth: number[];
  answerSlot: number;
}

/** The off-by-one readings of a value inside [lo, hi] (wrapping round a dial when `wrap`). */
export function offByOne(truth: number, lo: number, hi: number, opts: { wrap?: boolean; exclude?: number[] } = {}): number[] {
  const span = hi - lo + 1;
  const out: number[] = [];
  for (let v of [truth - 1, truth + 1]) {
    if (opts.wrap) v = lo + ((((v - lo) % span) + span) % span);
    if (v < lo || v > hi || v === truth || out.includes(v) || opts.exclude?.includes(v)) continue;
    out.push(v);
  }
  return out;
}

/**
 * Ways to word one step. A policy model does not repeat itself verbatim: each CoT picks a
 * wording per step (`phrasing`), so that candidates reaching one answer are not all the same
 * text. Were they identical, any scorer of the text alone would weigh each distinct text
 * once, however many candidates wrote it, and pick against the majority.
 */
export const PHRASINGS = 3;

/** The wording `phrasing` (any integer) of a list of templates. */
export function phrase<A extends unknown[]>(templates: readonly ((...a: A) => string)[], phrasing: number, ...args: A): string {
  return templates[((phrasing % templates.length) + templates.length) % templates.length](...args);
}

const ADD = [
  (a: number, b: number, r: number) => `${a} + ${b} = ${r} .`,
  (a: number, b: number, r: number) => `Adding ${a} and ${b} gives ${r} .`,
  (a: number, b: number, r: number) => `${a} plus ${b} makes ${r} .`,
];

/** Letters for labelled items in questions and steps. */
export const LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'];

/**
 * Builds the common shape "read each item, add them up in a chain, answer": one read step per
 * item, then `a + b = c .` steps carrying the running total, then the answer.
 */
export { ADD as ADD_PHRASINGS };

export function readThenSum(
  reads: { slot: number; render: (v: number, phrasing: number) => string }[],
  firstFreeSlot: number,
): { steps: StepPlan[]; answerSlot: number; slotCount: number } {
  const steps: StepPlan[] = reads.map((r) => ({ kind: 'read', slots: [r.slot], render: (v, w) => r.render(v[0], w) }));
  let total = reads[0].slot;
  let next = firstFreeSlot;
  for (let i = 1; i < reads.length; i++) {
    const out = next++;
    steps.push({
      kind: 'calc',
      out,
      args: [total, reads[i].slot],
      apply: ([a, b]) => a + b,
      render: ([a, b], r, w) => phrase(ADD, w, a, b, r),
    });
    total = out;
  }
  steps.push({ kind: 'answer', slot: total });
  return { steps, answerSlot: total, slotCount: next };
}

/** The correct value of every slot, by executing the plan without mistakes. */
export function solve(items: ReadItem[], steps: StepPlan[], slotCount: number): number[] {
  const values: number[] = new Array(slotCount).fill(Number.NaN);
  items.forEach((it, i) => (values[i] = it.truth));
  for (const s of steps) if (s.kind === 'calc') values[s.out] = s.apply(s.args.map((a) => values[a]));
  return values;
}
