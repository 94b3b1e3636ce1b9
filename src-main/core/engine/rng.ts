import { Mulberry32 } from '../random';

/**
 * The engine's seeded generator: its whole state is one uint32, so a checkpoint can store it
 * and a resumed run draws exactly the numbers an uninterrupted run would.
 */
export class Rng extends Mulberry32 {
  constructor(seed: number) {
    // Scramble the seed so that nearby seeds start far apart.
    super(hash32(seed >>> 0));
  }

  get state(): number {
    return this.s;
  }

  set state(v: number) {
    this.s = v >>> 0;
  }

  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** standard normal (Box-Muller) */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A child generator for an independent stream (e.g. init vs batching). */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }
}

function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
