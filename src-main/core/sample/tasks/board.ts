import { Canvas, GREY } from '../raster';
import { phrase } from './problem';

/** The 6×6 board of 8 px cells that the compare and path tasks draw on. */
export const BOARD = 6;
export const BOARD_CELL = 8;

/** A white board with grey lines on the right and bottom edge of every cell. */
export function boardCanvas(): Canvas {
  const canvas = new Canvas(48);
  for (let k = 0; k < BOARD; k++) {
    canvas.fillRect(k * BOARD_CELL + BOARD_CELL - 1, 0, 1, 48, GREY);
    canvas.fillRect(0, k * BOARD_CELL + BOARD_CELL - 1, 48, 1, GREY);
  }
  canvas.fillRect(0, 0, 48, 1, GREY);
  canvas.fillRect(0, 0, 1, 48, GREY);
  return canvas;
}

/** The |a - b| step of both board tasks, always written larger minus smaller. */
export function absDiff([a, b]: number[]): number {
  return Math.abs(a - b);
}

const DIFF = [
  (a: number, b: number, r: number) => `${a} - ${b} = ${r} .`,
  (a: number, b: number, r: number) => `${a} minus ${b} is ${r} .`,
  (a: number, b: number, r: number) => `${a} take away ${b} leaves ${r} .`,
];

/** The |a - b| step's wordings, always larger minus smaller, after an optional lead-in. */
export function renderDiff(prefix: string): (args: number[], r: number, phrasing: number) => string {
  return ([a, b], r, w) => `${prefix}${phrase(DIFF, w, Math.max(a, b), Math.min(a, b), r)}`;
}

/** A board read step's wordings: "<thing> is in <where> .", said three ways. */
export const PLACE = [
  (thing: string, where: string) => `The ${thing} is in ${where} .`,
  (thing: string, where: string) => `The ${thing} sits in ${where} .`,
  (thing: string, where: string) => `${where[0].toUpperCase()}${where.slice(1)} holds the ${thing} .`,
];
