import { describe, expect, it } from 'vitest';
import { BLUE, COLOURS, GREEN, RED, type Canvas, type Rgb } from '../../src-main/core/sample/raster';
import { SampleRng } from '../../src-main/core/sample/rng';
import { makeProblem, TASK_NAMES, type Problem, type TaskName } from '../../src-main/core/sample/tasks';

/**
 * Reads each task's values back from the pixels, the way a person would, and checks them
 * against the values the generator says the image shows: the picture must carry the truth.
 */
const same = (a: Rgb, b: Rgb) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

function readBars(c: Canvas): number[] {
  return [0, 1, 2, 3].map((b) => {
    let blocks = 0;
    while (blocks < 6 && same(c.get(8 * (b + 1) + 3, 8 * (5 - blocks) + 4), BLUE)) blocks++;
    return blocks;
  });
}

function colourAt(c: Canvas, x: number, y: number): string | undefined {
  return Object.entries(COLOURS).find(([, rgb]) => same(c.get(x, y), rgb))?.[0];
}

/** Beads per colour: each colour's row, counted from the left until the first gap. */
function readTally(c: Canvas): Record<string, number> {
  const counts: Record<string, number> = { red: 0, green: 0, blue: 0, yellow: 0 };
  for (let row = 0; row < 6; row++) {
    const colour = colourAt(c, 4, row * 8 + 4);
    if (!colour) continue;
    let n = 0;
    while (n < 6 && colourAt(c, n * 8 + 4, row * 8 + 4) === colour) n++;
    counts[colour] = n;
  }
  return counts;
}

function readGauge(c: Canvas, colour: Rgb, radius: number): number[] {
  const d = Math.SQRT1_2;
  const dirs = [[0, -1], [d, -d], [1, 0], [d, d], [0, 1], [-d, d], [-1, 0], [-d, -d]];
  return dirs.flatMap(([dx, dy], p) => (same(c.get(Math.floor(24 + dx * radius), Math.floor(24 + dy * radius)), colour) ? [p] : []));
}

/** 1-based [row, column] of every 8 px board cell containing the colour. */
function findOnBoard(c: Canvas, colour: Rgb): [number, number][] {
  const out: [number, number][] = [];
  for (let r = 0; r < 6; r++) for (let col = 0; col < 6; col++) if (same(c.get(col * 8 + 3, r * 8 + 3), colour)) out.push([r + 1, col + 1]);
  return out;
}

function problems(task: TaskName, n: number): Problem[] {
  const rng = new SampleRng(1234);
  return Array.from({ length: n }, (_, i) => makeProblem(task, rng, i % 2 === 1));
}

describe('sample tasks: the image shows the values the solution reads', () => {
  it('bars: stacked blocks count the heights', () => {
    for (const p of problems('bars', 60)) {
      const heights = readBars(p.canvas);
      const asked = [...p.question.matchAll(/bar ([A-D])/g)].map((m) => 'ABCD'.indexOf(m[1]));
      expect(asked.map((b) => heights[b])).toEqual(p.items.map((it) => it.truth));
    }
  });

  it('count: one row of beads per colour, lined up from the left', () => {
    for (const p of problems('count', 60)) {
      const counts = readTally(p.canvas);
      const asked = /How many (.*) beads/.exec(p.question)![1].split(/, | and /);
      expect(asked.map((c) => counts[c])).toEqual(p.items.map((it) => it.truth));
    }
  });

  it('gauge: each needle is seen at exactly its position', () => {
    for (const p of problems('gauge', 60)) {
      const seen = [readGauge(p.canvas, RED, 17), readGauge(p.canvas, BLUE, 12), readGauge(p.canvas, GREEN, 7)];
      p.items.forEach((it, i) => expect(seen[i]).toEqual([it.truth]));
    }
  });

  it('grid: the numbered cells have the colours whose values the solution reads', () => {
    const worth = (name: string) => ['red', 'green', 'blue', 'yellow'].indexOf(name) + 1;
    expect(problems('grid', 1)[0].question).toContain('red 1, green 2, blue 3, yellow 4');
    for (const p of problems('grid', 60)) {
      const cells = [...p.question.matchAll(/cell (\d)/g)].map((m) => Number(m[1]) - 1);
      const values = cells.map((i) => worth(colourAt(p.canvas, (i % 3) * 16 + 7, Math.floor(i / 3) * 16 + 7)!));
      expect(values).toEqual(p.items.map((it) => it.truth));
    }
  });

  it('compare and path: the coloured cells sit where the solution says', () => {
    for (const p of problems('compare', 60)) {
      expect([findOnBoard(p.canvas, RED)[0][0], findOnBoard(p.canvas, BLUE)[0][0]]).toEqual(p.items.map((it) => it.truth));
    }
    for (const p of problems('path', 60)) {
      expect([...findOnBoard(p.canvas, GREEN)[0], ...findOnBoard(p.canvas, RED)[0]]).toEqual(p.items.map((it) => it.truth));
      const [gr, gc, rr, rc] = p.items.map((it) => it.truth);
      expect(p.truth[p.answerSlot]).toBe(Math.abs(gr - rr) + Math.abs(gc - rc));
    }
  });

  it('misreadings are plausible: never the truth, inside the value range, never a clash the text could flag', () => {
    for (const task of TASK_NAMES) {
      for (const p of problems(task, 80)) {
        for (const it of p.items) {
          expect(it.alternatives).not.toContain(it.truth);
          if (it.alternatives.length) expect(it.alternatives).toContain(it.preferred);
          for (const v of it.alternatives) expect(v).toBeGreaterThanOrEqual(0);
        }
        if (task === 'path') {
          // misreading one coordinate never puts both cells on one square ("0 moves")
          const pos = p.items.map((it) => it.truth);
          p.items.forEach((it, i) => {
            for (const v of it.alternatives) {
              const seen = pos.slice();
              seen[i] = v;
              expect(seen[0] === seen[2] && seen[1] === seen[3]).toBe(false);
            }
          });
        }
      }
    }
  });

  it('has short and long variants of 4 to 6 steps', () => {
    for (const task of TASK_NAMES) {
      for (const p of problems(task, 10)) {
        expect(p.steps.length).toBeGreaterThanOrEqual(4);
        expect(p.steps.length).toBeLessThanOrEqual(6);
        expect(p.steps.at(-1)!.kind).toBe('answer');
      }
    }
  });
});
