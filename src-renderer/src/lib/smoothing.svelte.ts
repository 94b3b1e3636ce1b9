/**
 * How much the loss charts smooth (the weight of the exponential moving average, 0 = raw),
 * one setting for every chart, kept in the browser between visits.
 */
const KEY = 'dreamprm-smoothing';
export const DEFAULT_SMOOTHING = 0.8;
export const MAX_SMOOTHING = 0.99;

export function clampSmoothing(w: number): number {
  return Number.isFinite(w) ? Math.min(MAX_SMOOTHING, Math.max(0, w)) : DEFAULT_SMOOTHING;
}

function stored(): number {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    return raw === null || raw === undefined ? DEFAULT_SMOOTHING : clampSmoothing(Number(raw));
  } catch {
    return DEFAULT_SMOOTHING;
  }
}

class Smoothing {
  weight = $state(stored());

  set(w: number): void {
    this.weight = clampSmoothing(w);
    try {
      globalThis.localStorage?.setItem(KEY, String(this.weight));
    } catch {
      // storage may be off (private windows): the setting then lasts for the page
    }
  }
}

export const smoothing = new Smoothing();
