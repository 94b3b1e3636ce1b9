import * as tf from '@tensorflow/tfjs';
import { runSync, type Reads } from './reads';

/** Linear warm-up over the first `warmupFraction` of the steps, then cosine decay to 0. */
export function cosineWithWarmup(step: number, total: number, base: number, warmupFraction: number): number {
  const warm = Math.floor(warmupFraction * total);
  if (step < warm) return (base * (step + 1)) / warm;
  const progress = (step - warm) / Math.max(1, total - warm);
  return base * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

export interface AdamState {
  t: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

/**
 * AdamW (decoupled weight decay) over named variables, with global-norm gradient clipping.
 * Its state reads and writes as plain arrays for checkpoints.
 */
export class AdamW {
  private t = 0;
  private readonly m: Record<string, tf.Variable> = {};
  private readonly v: Record<string, tf.Variable> = {};

  constructor(
    private readonly vars: Record<string, tf.Variable>,
    private readonly weightDecay: number,
    private readonly clip: number,
  ) {
    for (const [k, x] of Object.entries(vars)) {
      this.m[k] = tf.variable(tf.zerosLike(x), false);
      this.v[k] = tf.variable(tf.zerosLike(x), false);
    }
  }

  /** Applies one step; returns the gradient norm before clipping. Does not dispose grads. */
  step(grads: Record<string, tf.Tensor>, lr: number): number {
    return runSync(this.stepReads(grads, lr));
  }

  /** step() as a generator that yields the squared norm to read (see reads.ts). */
  *stepReads(grads: Record<string, tf.Tensor>, lr: number): Reads<number> {
    this.t += 1;
    const names = Object.keys(this.vars).filter((k) => grads[k]);
    const normSq = tf.tidy(() => tf.addN(names.map((k) => tf.sum(tf.square(grads[k])))));
    let norm: number;
    try {
      norm = Math.sqrt((yield normSq)[0]);
    } finally {
      normSq.dispose();
    }
    const scale = Number.isFinite(norm) && norm > this.clip ? this.clip / norm : 1;
    const bc1 = 1 - BETA1 ** this.t;
    const bc2 = 1 - BETA2 ** this.t;
    tf.tidy(() => {
      for (const k of names) {
        const g = scale === 1 ? grads[k] : tf.mul(grads[k], scale);
        const m = tf.add(tf.mul(this.m[k], BETA1), tf.mul(g, 1 - BETA1));
        const v = tf.add(tf.mul(this.v[k], BETA2), tf.mul(tf.square(g), 1 - BETA2));
        const upd = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), EPS));
        const x = this.vars[k];
        const decayed = this.weightDecay ? tf.mul(x, 1 - lr * this.weightDecay) : x;
        x.assign(tf.sub(decayed, tf.mul(upd, lr)));
        this.m[k].assign(m);
        this.v[k].assign(v);
      }
    });
    return norm;
  }

  /** the tensors getState reads (prefetched before it on backends without synchronous reads) */
  stateTensors(): tf.Tensor[] {
    return [...Object.values(this.m), ...Object.values(this.v)];
  }

  getState(): AdamState {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const k of Object.keys(this.vars)) {
      m[k] = this.m[k].dataSync() as Float32Array;
      v[k] = this.v[k].dataSync() as Float32Array;
    }
    return { t: this.t, m, v };
  }

  setState(s: AdamState): void {
    this.t = s.t;
    for (const k of Object.keys(this.vars)) {
      const shape = this.vars[k].shape;
      tf.tidy(() => {
        this.m[k].assign(tf.tensor(s.m[k], shape));
        this.v[k].assign(tf.tensor(s.v[k], shape));
      });
    }
  }

  dispose(): void {
    tf.dispose([...Object.values(this.m), ...Object.values(this.v)]);
  }
}

/**
 * AdamW over rows of a flat table that touches only the rows it is given ("lazy" Adam, as
 * for sparse embeddings): moments and the bias-correction step count are kept per row, so a
 * step costs O(batch) whatever the table's size.
 */
export class RowAdamW {
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly t: Uint32Array;
  /** rows touched by the most recent step (for tests and accounting) */
  lastTouched = 0;

  constructor(
    size: number,
    private readonly weightDecay: number,
    private readonly clip: number,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.t = new Uint32Array(size);
  }

  /** rows must be distinct; grad[i] belongs to rows[i]. Returns the gradient norm. */
  step(table: Float32Array, rows: ArrayLike<number>, grad: ArrayLike<number>, lr: number): number {
    let sq = 0;
    for (let i = 0; i < rows.length; i++) sq += grad[i] * grad[i];
    const norm = Math.sqrt(sq);
    const scale = norm > this.clip ? this.clip / norm : 1;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const g = grad[i] * scale;
      const t = ++this.t[r];
      this.m[r] = BETA1 * this.m[r] + (1 - BETA1) * g;
      this.v[r] = BETA2 * this.v[r] + (1 - BETA2) * g * g;
      const mh = this.m[r] / (1 - BETA1 ** t);
      const vh = this.v[r] / (1 - BETA2 ** t);
      table[r] = table[r] * (1 - lr * this.weightDecay) - (lr * mh) / (Math.sqrt(vh) + EPS);
    }
    this.lastTouched = rows.length;
    return norm;
  }
}
