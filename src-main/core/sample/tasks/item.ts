import type { Rng } from '../rng';
import type { ReadItem } from './problem';

/**
 * A read item with its habitual misreading and reading difficulty drawn for one question. An
 * item with no plausible misreading (e.g. a disc on the edge row right next to the other one)
 * is simply never misread.
 */
export function makeItem(rng: Rng, truth: number, alternatives: number[]): ReadItem {
  const preferred = alternatives.length > 0 ? rng.pick(alternatives) : truth;
  return { truth, alternatives, preferred, factor: 0.5 + rng.next() };
}
