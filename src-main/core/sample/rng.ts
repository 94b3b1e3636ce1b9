import { Mulberry32 } from '../random';

/**
 * The sample's seeded generator. The sample must be byte-identical for a seed on every
 * machine, so nothing here may touch Math.random or depend on iteration order of a Set/Map.
 */
export class SampleRng extends Mulberry32 {
  /** A uniform integer in [lo, hi] (both inclusive). */
  between(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('SampleRng.pick on an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** A new array with the items in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** k distinct integers from [0, n), in random order. */
  sample(n: number, k: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, k);
  }

  /** A draw from the symmetric Beta(a, a), a ≥ 1, by rejection (cheap for small a). */
  symmetricBeta(a: number): number {
    if (a === 1) return this.next();
    // density ∝ (x(1-x))^(a-1), maximum at x = 1/2 where it is 4^(1-a)
    const peak = Math.pow(0.25, a - 1);
    for (;;) {
      const x = this.next();
      if (this.next() * peak <= Math.pow(x * (1 - x), a - 1)) return x;
    }
  }

  /** A child generator whose stream depends on this one's seed and a label, not on call order. */
  static derive(seed: number, label: string): SampleRng {
    return new SampleRng(hashString(label, seed));
  }
}

/** FNV-1a over UTF-16 code units, mixed with a seed; stable across platforms. */
export function hashString(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche so that neighbouring seeds give unrelated streams
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
