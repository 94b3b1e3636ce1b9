import { COLOUR_NAMES, COLOURS, Canvas, type ColourName } from '../raster';
import type { Rng } from '../rng';
import { edgeWeighted, makeItem } from './item';
import { offByOne, readThenSum, solve, type Problem } from './problem';

const SLOTS = 4;
const CELL = 12;
const MAX_ASKED = 5;

/**
 * Discs and squares of four colours scattered over a 4×4 layout. Question: how many shapes of
 * two (three when long) colours there are altogether; the policy counts colour by colour.
 */
export function countProblem(rng: Rng, long: boolean): Problem {
  const asked = rng.shuffle(COLOUR_NAMES).slice(0, long ? 3 : 2);
  // the asked counts follow the misreading's own law (see edgeWeighted); the other colours fill in
  const counts: Record<ColourName, number> = { red: 0, green: 0, blue: 0, yellow: 0 };
  for (const c of asked) counts[c] = edgeWeighted(rng, 0, MAX_ASKED);
  for (const c of COLOUR_NAMES.filter((c) => !asked.includes(c))) {
    const used = COLOUR_NAMES.reduce((n, k) => n + counts[k], 0);
    counts[c] = rng.int(0, Math.min(4, SLOTS * SLOTS - used));
  }
  const shapes = COLOUR_NAMES.flatMap((c) => Array<ColourName>(counts[c]).fill(c));
  const slots = rng.sample(SLOTS * SLOTS, shapes.length);

  const canvas = new Canvas(48);
  shapes.forEach((colour, i) => {
    const x = (slots[i] % SLOTS) * CELL;
    const y = Math.floor(slots[i] / SLOTS) * CELL;
    if (rng.chance(0.5)) canvas.fillDisc(x + 6, y + 6, 4.6, COLOURS[colour]); // 68 px, about a square's 64
    else canvas.fillRect(x + 2, y + 2, 8, 8, COLOURS[colour]);
  });

  const items = asked.map((c) => makeItem(rng, counts[c], offByOne(counts[c], 0, MAX_ASKED)));
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
