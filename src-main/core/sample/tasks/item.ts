import type { SampleRng } from '../rng';
import type { ReadItem } from './problem';

/** Share of misreadings that take a neighbouring item's value rather than an off-by-one. */
const NEIGHBOUR_SHARE = 0.3;

/**
 * A read item with its habitual misreading and reading difficulty drawn for one question.
 * `nearby` are the off-by-one values inside the range (one at an edge, which keeps the values
 * of misreadings distributed like true values: see `edgeWeighted`); `neighbours` are values of
 * items the question does not ask about. An item with neither is never misread.
 */
export function makeItem(rng: SampleRng, truth: number, nearby: number[], neighbours: number[] = []): ReadItem {
  const item: ReadItem = {
    truth,
    nearby,
    neighbours: neighbours.filter((v) => v !== truth),
    alternatives: [],
    preferred: truth,
    factor: 0.5 + rng.next(),
  };
  item.alternatives = [...new Set([...item.nearby, ...item.neighbours])];
  if (item.alternatives.length) item.preferred = misread(item, rng);
  return item;
}

/** One misreading of an item that has alternatives. */
export function misread(item: ReadItem, rng: SampleRng): number {
  if (item.neighbours.length && (item.nearby.length === 0 || rng.chance(NEIGHBOUR_SHARE))) return rng.pick(item.neighbours);
  return rng.pick(item.nearby);
}

/**
 * A value in [lo, hi] drawn with half weight at the two ends. This is the stationary law of
 * the off-by-one misreading (from an end the only way is inwards), so a misread value is
 * distributed exactly like a true one and its text cannot give it away.
 */
export function edgeWeighted(rng: SampleRng, lo: number, hi: number): number {
  for (;;) {
    const v = rng.between(lo, hi);
    if ((v !== lo && v !== hi) || rng.chance(0.5)) return v;
  }
}
