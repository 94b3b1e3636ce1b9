import * as tf from '@tensorflow/tfjs';
import type { Reads } from './reads';
import type { TrainConfig } from './config';
import type { Batch } from './batch';
import { RowAdamW } from './optim';
import { domainMeans, type Weighting, type WeightingContext, type WeightingState } from './weighting';

/**
 * DreamPRM-1.5 instance table: one raw β_i per training instance (init 1.0), w_i = act(β_i).
 * The table is a flat Float32Array and a step reads and writes only the batch's rows, so its
 * cost does not depend on how many instances there are.
 */
export class InstanceTable implements Weighting {
  readonly method = 'instance-table' as const;
  readonly needsProbs = false;
  readonly beta: Float32Array;
  readonly opt: RowAdamW;
  private readonly lo: number;
  private readonly hi: number;
  private readonly act: TrainConfig['upper']['tableActivation'];

  constructor(private readonly ctx: WeightingContext) {
    const n = ctx.instanceDomains.length;
    this.beta = new Float32Array(n).fill(1);
    this.opt = new RowAdamW(n, ctx.config.upper.weightDecay, ctx.config.upper.clip);
    this.lo = ctx.config.upper.lo;
    this.hi = ctx.config.upper.hi;
    this.act = ctx.config.upper.tableActivation;
  }

  private activate(x: number): number {
    switch (this.act) {
      case 'clip':
        return Math.min(this.hi, Math.max(this.lo, x));
      case 'leaky-relu':
        return x >= 0 ? x : 0.01 * x;
      case 'identity':
        return x;
    }
  }

  private slope(x: number): number {
    switch (this.act) {
      case 'clip':
        return x > this.lo && x < this.hi ? 1 : 0;
      case 'leaky-relu':
        return x >= 0 ? 1 : 0.01;
      case 'identity':
        return 1;
    }
  }

  weights(b: Batch): tf.Tensor1D {
    const w = new Float32Array(b.B);
    for (let i = 0; i < b.B; i++) w[i] = this.activate(this.beta[b.index[i]]);
    return tf.tensor1d(w);
  }

  observe(): void {}

  // eslint-disable-next-line require-yield
  *stepReads(b: Batch, _p: tf.Tensor2D, h: Float32Array, lr: number): Reads<void> {
    // d(Σ h_i act(β_i))/dβ_r, summed over repeats of a row within the batch.
    const grad = new Map<number, number>();
    for (let i = 0; i < b.B; i++) {
      const r = b.index[i];
      grad.set(r, (grad.get(r) ?? 0) + h[i] * this.slope(this.beta[r]));
    }
    this.opt.step(this.beta, [...grad.keys()], [...grad.values()], lr);
  }

  domainWeights(): number[] {
    return domainMeans(this.instanceWeights(), this.ctx);
  }

  stateTensors(): tf.Tensor[] {
    return [];
  }

  instanceWeights(): Float32Array {
    const w = new Float32Array(this.beta.length);
    for (let i = 0; i < w.length; i++) w[i] = this.activate(this.beta[i]);
    return w;
  }

  getState(): WeightingState {
    return { arrays: { beta: this.beta, m: this.opt.m, v: this.opt.v, t: this.opt.t } };
  }

  setState(s: WeightingState): void {
    this.beta.set(s.arrays.beta as Float32Array);
    this.opt.m.set(s.arrays.m as Float32Array);
    this.opt.v.set(s.arrays.v as Float32Array);
    this.opt.t.set(s.arrays.t as Uint32Array);
  }

  dispose(): void {}
}
