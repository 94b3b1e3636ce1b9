/**
 * mulberry32: a seeded generator whose whole state is one uint32. The engine (checkpointable
 * batching and init), the sample (byte-identical output per seed) and synthetic benchmark data
 * all draw from it; each adds its own helpers on top.
 */
export class Mulberry32 {
  protected s: number;

  constructor(state: number) {
    this.s = state >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
