import { GREEN, RED } from '../raster';
import type { SampleRng } from '../rng';
import { absDiff, BOARD, BOARD_CELL, boardCanvas, PLACE, renderDiff } from './board';
import { edgeWeighted, makeItem } from './item';
import { ADD_PHRASINGS, offByOne, phrase, solve, type Problem, type StepPlan } from './problem';

/**
 * A green and a red cell on a 6×6 board. Question: the length of the shortest path between
 * them moving up, down, left or right (rows apart + columns apart).
 */
export function pathProblem(rng: SampleRng): Problem {
  // slots: green row, green column, red row, red column (1-based, as in the text), each
  // distributed like its misreadings (see edgeWeighted); the two cells never coincide
  let pos: number[];
  do pos = Array.from({ length: 4 }, () => edgeWeighted(rng, 1, BOARD));
  while (pos[0] === pos[2] && pos[1] === pos[3]);
  const canvas = boardCanvas();
  canvas.fillRect((pos[1] - 1) * BOARD_CELL, (pos[0] - 1) * BOARD_CELL, BOARD_CELL - 1, BOARD_CELL - 1, GREEN);
  canvas.fillRect((pos[3] - 1) * BOARD_CELL, (pos[2] - 1) * BOARD_CELL, BOARD_CELL - 1, BOARD_CELL - 1, RED);

  const items = pos.map((v, i) => {
    // a misreading never puts the two cells on one square (the text alone would flag that)
    const own = i < 2 ? 0 : 2;
    const other = 2 - own;
    const isRow = i % 2 === 0;
    const clash = isRow
      ? pos[own + 1] === pos[other + 1] ? [pos[other]] : []
      : pos[own] === pos[other] ? [pos[other + 1]] : [];
    return makeItem(rng, v, offByOne(v, 1, BOARD, { exclude: clash }));
  });
  const steps: StepPlan[] = [
    { kind: 'read', slots: [0, 1], render: ([r, c], w) => phrase(PLACE, w, 'green cell', `row ${r} , column ${c}`) },
    { kind: 'read', slots: [2, 3], render: ([r, c], w) => phrase(PLACE, w, 'red cell', `row ${r} , column ${c}`) },
    { kind: 'calc', out: 4, args: [0, 2], apply: absDiff, render: renderDiff('Rows apart : ') },
    { kind: 'calc', out: 5, args: [1, 3], apply: absDiff, render: renderDiff('Columns apart : ') },
    { kind: 'calc', out: 6, args: [4, 5], apply: ([a, b]) => a + b, render: ([a, b], r, w) => phrase(ADD_PHRASINGS, w, a, b, r) },
    { kind: 'answer', slot: 6 },
  ];
  return {
    task: 'path',
    question:
      'Rows and columns are numbered 1 to 6 from the top left. Moving one cell up, down, left or right ' +
      'at a time, how many moves does the shortest path from the green cell to the red cell take?',
    canvas,
    items,
    steps,
    truth: solve(items, steps, 7),
    answerSlot: 6,
  };
}
