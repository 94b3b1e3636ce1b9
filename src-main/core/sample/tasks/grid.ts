import { COLOUR_NAMES, COLOURS, Canvas } from '../raster';
import type { SampleRng } from '../rng';
import { makeItem } from './item';
import { phrase, readThenSum, solve, type Problem } from './problem';

const READ = [
  (cell: number, colour: string, v: number) => `Cell ${cell} is ${colour} , worth ${v} .`,
  (cell: number, colour: string, v: number) => `Cell ${cell} has colour ${colour} , which is worth ${v} .`,
  (cell: number, colour: string, v: number) => `In cell ${cell} the colour is ${colour} , so ${v} .`,
];

const N = 3;
const CELL = 16;
/** The legend of the table: colour → value (1-based position in COLOUR_NAMES). */
const LEGEND = COLOUR_NAMES.map((c, i) => `${c} ${i + 1}`).join(', ');

/**
 * A 3×3 table of coloured cells, each colour worth a number (the legend is in the question).
 * Question: the sum of the values of two (three when long) cells given by row and column. A
 * misreading takes the colour of an adjacent cell.
 */
export function gridProblem(rng: SampleRng, long: boolean): Problem {
  const cells = Array.from({ length: N * N }, () => rng.between(1, COLOUR_NAMES.length));
  const canvas = new Canvas(48);
  cells.forEach((v, i) =>
    canvas.fillRect((i % N) * CELL, Math.floor(i / N) * CELL, CELL - 2, CELL - 2, COLOURS[COLOUR_NAMES[v - 1]]),
  );

  const asked = rng.sample(N * N, long ? 3 : 2).sort((a, b) => a - b);
  const items = asked.map((i) => {
    const r = Math.floor(i / N);
    const c = i % N;
    const adjacent = [[r - 1, c], [r + 1, c], [r, c - 1], [r, c + 1]].filter(([y, x]) => y >= 0 && y < N && x >= 0 && x < N);
    return makeItem(rng, cells[i], [], adjacent.map(([y, x]) => cells[y * N + x]));
  });
  const { steps, answerSlot, slotCount } = readThenSum(
    asked.map((i, k) => ({ slot: k, render: (v: number, w: number) => phrase(READ, w, i + 1, COLOUR_NAMES[v - 1], v) })),
    items.length,
  );
  const list = asked.map((i) => `cell ${i + 1}`);
  return {
    task: 'grid',
    question:
      `The cells are numbered 1 to 9 in reading order (left to right, then top to bottom). The colours are worth ${LEGEND}. ` +
      `What is ${list.join(' plus ')} worth?`,
    canvas,
    items,
    steps,
    truth: solve(items, steps, slotCount),
    answerSlot,
  };
}
