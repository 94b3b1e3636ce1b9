import * as tf from '@tensorflow/tfjs';
import type { Reads } from './reads';
import type { Batch } from './batch';
import { AdamW } from './optim';
import { glorot } from './ops';
import { domainMeans, type Weighting, type WeightingContext, type WeightingState } from './weighting';

/**
 * DreamPRM-1.5 instance net (Meta-Weight-Net style): g_φ on per-step features
 * [p_t, m_t, |p_t - m_t|], LeakyReLU hidden layer, mean over the instance's labelled steps,
 * then w = lo + (hi - lo)·sigmoid(·). φ is shared by all instances.
 */
export class InstanceNet implements Weighting {
  readonly method = 'instance-net' as const;
  readonly needsProbs = true;
  private readonly vars: Record<string, tf.Variable>;
  private readonly opt: AdamW;
  /** the weight each instance had the last time it was in a batch (1 before that) */
  private readonly last: Float32Array;
  private readonly lo: number;
  private readonly hi: number;
  private readonly normalizeBatch: boolean;

  constructor(private readonly ctx: WeightingContext) {
    const hn = ctx.config.upper.netHidden;
    this.lo = ctx.config.upper.lo;
    this.hi = ctx.config.upper.hi;
    this.normalizeBatch = ctx.config.upper.normalizeBatch;
    // Output bias so that an untrained net gives w = 1, like the other methods' start.
    const unit = Math.min(0.999, Math.max(0.001, (1 - this.lo) / (this.hi - this.lo)));
    const w2 = glorot(ctx.rng, hn, 1).map((x) => x * 0.1);
    this.vars = {
      w1: tf.variable(tf.tensor2d(glorot(ctx.rng, 3, hn), [3, hn]), true),
      b1: tf.variable(tf.zeros([hn]), true),
      w2: tf.variable(tf.tensor2d(w2, [hn, 1]), true),
      b2: tf.variable(tf.tensor1d([Math.log(unit / (1 - unit))]), true),
    };
    this.opt = new AdamW(this.vars, ctx.config.upper.weightDecay, ctx.config.upper.clip);
    this.last = new Float32Array(ctx.instanceDomains.length).fill(1);
  }

  weights(b: Batch, p: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const S = b.B * b.T;
      const pf = tf.reshape(p, [S, 1]);
      const mf = tf.reshape(b.labels, [S, 1]);
      const feats = tf.concat([pf, mf, tf.abs(tf.sub(pf, mf))], 1) as tf.Tensor2D;
      const hid = tf.leakyRelu(tf.add(tf.matMul(feats, this.vars.w1 as tf.Tensor2D), this.vars.b1), 0.01) as tf.Tensor2D;
      const out = tf.reshape(tf.add(tf.matMul(hid, this.vars.w2 as tf.Tensor2D), this.vars.b2), [b.B, b.T]);
      const n = tf.maximum(tf.sum(b.labelMask, 1), 1);
      const z = tf.div(tf.sum(tf.mul(out, b.labelMask), 1), n);
      const w = tf.add(this.lo, tf.mul(this.hi - this.lo, tf.sigmoid(z))) as tf.Tensor1D;
      // Measured: unnormalised, the net learns mostly to raise every weight at once (more
      // training lowers the meta loss), which says nothing about which CoT is better.
      return this.normalizeBatch ? (tf.div(w, tf.maximum(tf.mean(w), 1e-6)) as tf.Tensor1D) : w;
    });
  }

  observe(b: Batch, w: Float32Array): void {
    for (let i = 0; i < b.B; i++) this.last[b.index[i]] = w[i];
  }

  *stepReads(b: Batch, p: tf.Tensor2D, h: Float32Array, lr: number): Reads<void> {
    const hT = tf.tensor1d(h);
    const list = Object.values(this.vars);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(hT, this.weights(b, p))) as tf.Scalar, list);
    const named: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(this.vars)) named[k] = grads[v.name];
    try {
      yield* this.opt.stepReads(named, lr);
    } finally {
      tf.dispose([hT, value, ...Object.values(grads)]);
    }
  }

  stateTensors(): tf.Tensor[] {
    return [...Object.values(this.vars), ...this.opt.stateTensors()];
  }

  domainWeights(): number[] {
    return domainMeans(this.last, this.ctx);
  }

  instanceWeights(): Float32Array {
    return this.last.slice();
  }

  getState(): WeightingState {
    const arrays: Record<string, Float32Array> = { last: this.last };
    for (const [k, v] of Object.entries(this.vars)) arrays[k] = v.dataSync() as Float32Array;
    return { arrays, adam: this.opt.getState() };
  }

  setState(s: WeightingState): void {
    for (const [k, v] of Object.entries(this.vars)) tf.tidy(() => v.assign(tf.tensor(s.arrays[k] as Float32Array, v.shape)));
    this.last.set(s.arrays.last as Float32Array);
    if (s.adam) this.opt.setState(s.adam);
  }

  dispose(): void {
    tf.dispose(Object.values(this.vars));
    this.opt.dispose();
  }
}
