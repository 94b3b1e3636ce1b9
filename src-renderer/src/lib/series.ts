/** Series helpers for noisy training curves. */

export interface Point {
  x: number;
  y: number;
}

/**
 * Exponential moving average with bias correction (the first points are not pulled towards
 * zero), as training dashboards smooth minibatch losses. `weight` 0 leaves the series as is.
 */
export function smooth(points: readonly Point[], weight = 0.8): Point[] {
  let avg = 0;
  let norm = 0;
  return points.map((p) => {
    avg = weight * avg + (1 - weight) * p.y;
    norm = weight * norm + (1 - weight);
    return { x: p.x, y: avg / norm };
  });
}

/** Decimal places that tell apart values `width` apart. */
export function digitsFor(width: number): number {
  if (!(width > 0) || !Number.isFinite(width)) return 2;
  return Math.min(6, Math.max(2, Math.ceil(-Math.log10(width)) + 1));
}
