import { BLUE, RED } from '../raster';
import type { Rng } from '../rng';
import { absDiff, BOARD, BOARD_CELL, boardCanvas, renderDiff } from './board';
import { makeItem } from './item';
import { misreadings, solve, type Problem, type StepPlan } from './problem';

/**
 * A red and a blue disc on a 6×6 board, in different rows. Question: by how many rows the
 * higher disc is above the lower one. Reading a row off by one always changes the answer.
 */
export function compareProblem(rng: Rng): Problem {
  const [redRow, blueRow] = rng.sample(BOARD, 2);
  const cols = [rng.int(0, BOARD - 1), rng.int(0, BOARD - 1)];
  const canvas = boardCanvas();
  [redRow, blueRow].forEach((row, i) => {
    const x = cols[i] * BOARD_CELL + 4;
    const y = row * BOARD_CELL + 4;
    canvas.fillDisc(x, y, 3.3, i === 0 ? RED : BLUE);
  });

  // rows are 1-based in the text; a misreading never lands on the other disc's row, which
  // would read as "both discs in one row", something the text alone could flag
  const rows = [redRow + 1, blueRow + 1];
  const items = rows.map((r, i) => makeItem(rng, r, misreadings(r, 1, BOARD, { exclude: [rows[1 - i]] })));
  const steps: StepPlan[] = [
    { kind: 'read', slots: [0], render: ([v]) => `The red disc is in row ${v} .` },
    { kind: 'read', slots: [1], render: ([v]) => `The blue disc is in row ${v} .` },
    { kind: 'calc', out: 2, args: [0, 1], apply: absDiff, render: renderDiff('') },
    { kind: 'answer', slot: 2 },
  ];
  return {
    task: 'compare',
    question:
      'Rows are numbered 1 to 6 from the top. By how many rows is the higher disc above the lower disc?',
    canvas,
    items,
    steps,
    truth: solve(items, steps, 3),
    answerSlot: 2,
  };
}
