import { COLOUR_NAMES, COLOURS, Canvas, type ColourName } from '../raster';
import type { Rng } from '../rng';
import { edgeWeighted, makeItem } from './item';
import { offByOne, readThenSum, solve, type Problem } from './problem';

const N = 6;
const CELL = 8;

/**
 * A 6×6 table of coloured cells. Question: how many cells of one colour lie in two (three when
 * long) given rows; the policy counts row by row.
 */
export function gridProblem(rng: Rng, long: boolean): Problem {
  const colour = rng.pick(COLOUR_NAMES);
  const others = COLOUR_NAMES.filter((c) => c !== colour);
  // each row's count of the asked colour follows the misreading's own law (see edgeWeighted)
  const rowCounts = Array.from({ length: N }, () => edgeWeighted(rng, 0, N));
  const cells: ColourName[] = [];
  for (const count of rowCounts) {
    const hits = new Set(rng.sample(N, count));
    for (let c = 0; c < N; c++) cells.push(hits.has(c) ? colour : rng.pick(others));
  }
  const canvas = new Canvas(48);
  cells.forEach((c, i) => canvas.fillRect((i % N) * CELL, Math.floor(i / N) * CELL, CELL - 1, CELL - 1, COLOURS[c]));

  const rows = rng.sample(N, long ? 3 : 2).sort((a, b) => a - b);
  // a misreading is off by one, or the count of an adjacent row the question does not ask about
  const items = rows.map((r) => {
    const neighbours = [r - 1, r + 1].filter((n) => n >= 0 && n < N && !rows.includes(n)).map((n) => rowCounts[n]);
    return makeItem(rng, rowCounts[r], offByOne(rowCounts[r], 0, N), neighbours);
  });
  const { steps, answerSlot, slotCount } = readThenSum(
    rows.map((r, i) => ({ slot: i, render: (v: number) => `Row ${r + 1} has ${v} ${colour} cells .` })),
    items.length,
  );
  const list = rows.map((r) => r + 1);
  const rowText = list.length === 2 ? `${list[0]} and ${list[1]}` : `${list[0]}, ${list[1]} and ${list[2]}`;
  return {
    task: 'grid',
    question: `Rows are numbered 1 to 6 from the top. How many ${colour} cells are there in rows ${rowText} together?`,
    canvas,
    items,
    steps,
    truth: solve(items, steps, slotCount),
    answerSlot,
  };
}
