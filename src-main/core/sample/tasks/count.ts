import { COLOUR_NAMES, COLOURS, Canvas, type ColourName } from '../raster';
import type { Rng } from '../rng';
import { makeItem } from './item';
import { misreadings, readThenSum, solve, type Problem } from './problem';

const SLOTS = 4;
const CELL = 12;

/**
 * Discs and squares of four colours scattered over a 4×4 layout. Question: how many shapes of
 * two (three when long) colours there are altogether; the policy counts colour by colour.
 */
export function countProblem(rng: Rng, long: boolean): Problem {
  const shapes = rng.int(7, 12);
  const canvas = new Canvas(48);
  const counts: Record<ColourName, number> = { red: 0, green: 0, blue: 0, yellow: 0 };
  for (const slot of rng.sample(SLOTS * SLOTS, shapes)) {
    const colour = rng.pick(COLOUR_NAMES);
    counts[colour]++;
    const x = (slot % SLOTS) * CELL;
    const y = Math.floor(slot / SLOTS) * CELL;
    if (rng.chance(0.5)) canvas.fillDisc(x + 6, y + 6, 4.6, COLOURS[colour]); // 68 px, about the 64 px of a square
    else canvas.fillRect(x + 2, y + 2, 8, 8, COLOURS[colour]);
  }

  const asked = rng.shuffle(COLOUR_NAMES).slice(0, long ? 3 : 2);
  const items = asked.map((c) => makeItem(rng, counts[c], misreadings(counts[c], 0, SLOTS * SLOTS)));
  const { steps, answerSlot, slotCount } = readThenSum(
    asked.map((c, i) => ({ slot: i, render: (v: number) => `There are ${v} ${c} shapes .` })),
    items.length,
  );
  const list = asked.length === 2 ? `${asked[0]} and ${asked[1]}` : `${asked[0]}, ${asked[1]} and ${asked[2]}`;
  return {
    task: 'count',
    question: `How many ${list} shapes are there altogether?`,
    canvas,
    items,
    steps,
    truth: solve(items, steps, slotCount),
    answerSlot,
  };
}
