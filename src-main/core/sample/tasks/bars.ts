import { BLUE, Canvas, GREY } from '../raster';
import type { SampleRng } from '../rng';
import { edgeWeighted, makeItem } from './item';
import { LETTERS, offByOne, phrase, readThenSum, solve, type Problem } from './problem';

const READ = [
  (bar: string, v: number) => `Bar ${bar} has height ${v} .`,
  (bar: string, v: number) => `The height of bar ${bar} is ${v} .`,
  (bar: string, v: number) => `Bar ${bar} is ${v} blocks tall .`,
];

const BARS = 4;
const MAX_HEIGHT = 5;
/** One block per 8 px: a bar's height is read off whole 8×8 patches, as a small PRM sees them. */
const UNIT = 8;

/**
 * A bar chart of four bars A–D (left to right), each a stack of unit blocks so that a person
 * can count the height. Question: the sum of two (three when long) bars.
 */
export function barsProblem(rng: SampleRng, long: boolean): Problem {
  const heights = Array.from({ length: BARS }, () => edgeWeighted(rng, 1, MAX_HEIGHT));
  const asked = rng.sample(BARS, long ? 3 : 2).sort((a, b) => a - b);

  const canvas = new Canvas(48);
  canvas.fillRect(0, 47, 48, 1, GREY);
  heights.forEach((h, b) => {
    const x = UNIT * (b + 1) + 1;
    // block j fills patch row 5 - j, leaving a 1 px gap above it so that blocks can be counted
    for (let j = 0; j < h; j++) canvas.fillRect(x, UNIT * (5 - j) + 1, UNIT - 2, UNIT - 2, BLUE);
  });

  // a misreading is off by one block, or the height of a neighbouring bar that the question
  // does not ask about (a neighbour it does ask about would show up as a suspicious repeat)
  const items = asked.map((b) => {
    const neighbours = [b - 1, b + 1].filter((n) => n >= 0 && n < BARS && !asked.includes(n)).map((n) => heights[n]);
    return makeItem(rng, heights[b], offByOne(heights[b], 1, MAX_HEIGHT), neighbours);
  });
  const { steps, answerSlot, slotCount } = readThenSum(
    asked.map((b, i) => ({ slot: i, render: (v: number, w: number) => phrase(READ, w, LETTERS[b], v) })),
    items.length,
  );
  const names = asked.map((b) => `bar ${LETTERS[b]}`);
  return {
    task: 'bars',
    question:
      'The chart shows bars A, B, C and D from left to right; each block is one unit of height. ' +
      `What is ${names.join(' plus ')}?`,
    canvas,
    items,
    steps,
    truth: solve(items, steps, slotCount),
    answerSlot,
  };
}
