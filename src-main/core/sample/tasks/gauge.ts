import { BLACK, BLUE, Canvas, GREEN, RED, type Rgb } from '../raster';
import type { SampleRng } from '../rng';
import { makeItem } from './item';
import { offByOne, phrase, type Problem, readThenSum, solve } from './problem';

const READ = [
  (needle: string, v: number) => `The ${needle} needle points to ${v} .`,
  (needle: string, v: number) => `The ${needle} needle is at ${v} .`,
  (needle: string, v: number) => `The ${needle} needle sits at position ${v} .`,
];

const POSITIONS = 8;
const CENTRE = 24;
const NEEDLES: { name: string; colour: Rgb; length: number }[] = [
  { name: 'red', colour: RED, length: 19 },
  { name: 'blue', colour: BLUE, length: 14 },
  { name: 'green', colour: GREEN, length: 9 },
];

/**
 * A dial with 8 positions (0 at the top mark, clockwise) and two (three when long) needles of
 * different colours and lengths. Question: the sum of the positions the needles point to.
 */
export function gaugeProblem(rng: SampleRng, long: boolean): Problem {
  const needles = NEEDLES.slice(0, long ? 3 : 2);
  const positions = needles.map(() => rng.between(0, POSITIONS - 1));

  const canvas = new Canvas(48);
  for (let p = 0; p < POSITIONS; p++) {
    const [dx, dy] = direction(p);
    const r = p === 0 ? 22 : 21.5;
    canvas.fillDisc(CENTRE + dx * r, CENTRE + dy * r, p === 0 ? 2.6 : 1.5, BLACK);
  }
  // longest first so that shorter needles stay visible on top of longer ones
  needles.forEach((n, i) => {
    const [dx, dy] = direction(positions[i]);
    canvas.line(CENTRE, CENTRE, CENTRE + dx * n.length, CENTRE + dy * n.length, 3.2, n.colour);
  });
  canvas.fillDisc(CENTRE, CENTRE, 2.2, BLACK);

  // misreading a dial means taking the neighbouring position (wrapping past 7 to 0)
  const items = positions.map((p) => makeItem(rng, p, offByOne(p, 0, POSITIONS - 1, { wrap: true })));
  const { steps, answerSlot, slotCount } = readThenSum(
    needles.map((n, i) => ({ slot: i, render: (v: number, w: number) => phrase(READ, w, n.name, v) })),
    items.length,
  );
  const names = needles.map((n) => `the ${n.name} needle's position`);
  return {
    task: 'gauge',
    question:
      'The dial has 8 positions numbered 0 to 7 clockwise, with 0 at the large dot at the top. ' +
      `What is ${names.join(' plus ')}?`,
    canvas,
    items,
    steps,
    truth: solve(items, steps, slotCount),
    answerSlot,
  };
}

const D = Math.SQRT1_2;
/** Unit vectors of the positions in image coordinates (y grows downwards); a table rather
 * than sin/cos so that no platform's last-bit rounding can move a pixel. */
const DIRECTIONS: [number, number][] = [[0, -1], [D, -D], [1, 0], [D, D], [0, 1], [-D, D], [-1, 0], [-D, -D]];

function direction(position: number): [number, number] {
  return DIRECTIONS[position];
}
