import { COLOUR_NAMES, COLOURS, Canvas, type ColourName } from '../raster';
import type { SampleRng } from '../rng';
import { edgeWeighted, makeItem } from './item';
import { offByOne, phrase, readThenSum, solve, type Problem } from './problem';

const READ = [
  (colour: string, v: number) => `There are ${v} ${colour} beads .`,
  (colour: string, v: number) => `I count ${v} ${colour} beads .`,
  (colour: string, v: number) => `The ${colour} row has ${v} beads .`,
];

const ROWS = 6;
const CELL = 8;
const MAX_COUNT = 6;

/**
 * A tally: rows of beads, one colour per row, each row's beads lined up from the left (one
 * bead per 8×8 patch). Question: how many beads of two (three when long) colours there are
 * altogether; the policy counts colour by colour.
 */
export function countProblem(rng: SampleRng, long: boolean): Problem {
  const rows = rng.sample(ROWS, COLOUR_NAMES.length); // the row of each colour
  // counts follow the misreading's own law (see edgeWeighted)
  const counts = COLOUR_NAMES.map(() => edgeWeighted(rng, 1, MAX_COUNT));
  const canvas = new Canvas(48);
  COLOUR_NAMES.forEach((colour, i) => {
    for (let k = 0; k < counts[i]; k++) {
      const x = k * CELL;
      const y = rows[i] * CELL;
      if (rng.chance(0.5)) canvas.fillDisc(x + 4, y + 4, 3.3, COLOURS[colour]);
      else canvas.fillRect(x + 1, y + 1, 6, 6, COLOURS[colour]);
    }
  });

  const asked: ColourName[] = rng.shuffle(COLOUR_NAMES).slice(0, long ? 3 : 2);
  const items = asked.map((c) => {
    const n = counts[COLOUR_NAMES.indexOf(c)];
    return makeItem(rng, n, offByOne(n, 1, MAX_COUNT));
  });
  const { steps, answerSlot, slotCount } = readThenSum(
    asked.map((c, i) => ({ slot: i, render: (v: number, w: number) => phrase(READ, w, c, v) })),
    items.length,
  );
  const list = asked.length === 2 ? `${asked[0]} and ${asked[1]}` : `${asked[0]}, ${asked[1]} and ${asked[2]}`;
  return {
    task: 'count',
    question: `How many ${list} beads are there altogether?`,
    canvas,
    items,
    steps,
    truth: solve(items, steps, slotCount),
    answerSlot,
  };
}
