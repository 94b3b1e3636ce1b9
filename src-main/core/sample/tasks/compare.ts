import { BLUE, RED } from '../raster';
import type { SampleRng } from '../rng';
import { absDiff, BOARD, BOARD_CELL, boardCanvas, PLACE, renderDiff } from './board';
import { edgeWeighted, makeItem } from './item';
import { offByOne, phrase, solve, type Problem, type StepPlan } from './problem';

/**
 * A red and a blue disc on a 6×6 board. Question: how many rows apart they are. Reading a row
 * off by one always changes the answer. Both discs may share a row (answer 0), so that a
 * misreading that puts them in one row says nothing to a reader without the image.
 */
export function compareProblem(rng: SampleRng): Problem {
  // 1-based rows, distributed like their misreadings (see edgeWeighted)
  const rows = [edgeWeighted(rng, 1, BOARD), edgeWeighted(rng, 1, BOARD)];
  const cols = rng.sample(BOARD, 2); // distinct columns: discs never overlap
  const canvas = boardCanvas();
  rows.forEach((row, i) => {
    canvas.fillDisc(cols[i] * BOARD_CELL + 4, (row - 1) * BOARD_CELL + 4, 3.3, i === 0 ? RED : BLUE);
  });

  const items = rows.map((r) => makeItem(rng, r, offByOne(r, 1, BOARD)));
  const steps: StepPlan[] = [
    { kind: 'read', slots: [0], render: ([v], w) => phrase(PLACE, w, 'red disc', `row ${v}`) },
    { kind: 'read', slots: [1], render: ([v], w) => phrase(PLACE, w, 'blue disc', `row ${v}`) },
    { kind: 'calc', out: 2, args: [0, 1], apply: absDiff, render: renderDiff('') },
    { kind: 'answer', slot: 2 },
  ];
  return {
    task: 'compare',
    question: 'Rows are numbered 1 to 6 from the top. How many rows apart are the red disc and the blue disc?',
    canvas,
    items,
    steps,
    truth: solve(items, steps, 3),
    answerSlot: 2,
  };
}
