import * as tf from '@tensorflow/tfjs';
import type { Reads } from './reads';
import type { Method, TrainConfig } from './config';
import type { Batch } from './batch';
import { AdamW, RowAdamW, type AdamState } from './optim';
import type { Rng } from './rng';
import { glorot } from './ops';

/**
 * The upper problem's weight parameterisations. Each maps a batch to instance weights w_i and
 * takes a hypergradient h_i ≈ dL_meta/dw_i for the batch's instances, which it chains into
 * its own parameters (Σ_i stopgrad(h_i)·w_i) and steps with AdamW.
 */
export interface Weighting {
  readonly method: Method;
  /** whether weights() and step() read the PRM's step probabilities (else they may be empty) */
  readonly needsProbs: boolean;
  /** w for the batch, [B]; stepProbs are the PRM's current p_t (constants) */
  weights(b: Batch, stepProbs: tf.Tensor2D): tf.Tensor1D;
  /** records the weights the lower step actually used (instance methods keep a per-instance view) */
  observe(b: Batch, w: Float32Array): void;
  /** one upper optimizer step from h [B], yielding what it reads (see reads.ts) */
  stepReads(b: Batch, stepProbs: tf.Tensor2D, h: Float32Array, lr: number): Reads<void>;
  /** the tensors domainWeights and getState read (prefetched where reads are asynchronous) */
  stateTensors(): tf.Tensor[];
  /** domain → weight (instance methods: the mean current weight of the domain's instances) */
  domainWeights(): number[];
  /** current weight of every training instance, or null (uniform, domain) */
  instanceWeights(): Float32Array | null;
  getState(): WeightingState;
  setState(s: WeightingState): void;
  dispose(): void;
}

export interface WeightingState {
  arrays: Record<string, Float32Array | Uint32Array>;
  adam?: AdamState;
}

export interface WeightingContext {
  config: TrainConfig;
  domainCount: number;
  /** domain index of every training instance */
  instanceDomains: Int32Array;
  rng: Rng;
}

export function createWeighting(ctx: WeightingContext): Weighting {
  switch (ctx.config.method) {
    case 'uniform':
    case 's1':
    case 'car':
      return new UniformWeighting(ctx.config.method, ctx.domainCount);
    case 'domain':
      return new DomainTable(ctx);
    case 'instance-table':
      return new InstanceTable(ctx);
    case 'instance-net':
      return new InstanceNet(ctx);
  }
}

/** Every weight 1: the uniform PRM, and the selection baselines on their selected data. */
class UniformWeighting implements Weighting {
  readonly needsProbs = false;
  constructor(
    readonly method: Method,
    private readonly domainCount: number,
  ) {}
  weights(b: Batch): tf.Tensor1D {
    return tf.ones([b.B]);
  }
  observe(): void {}
  // eslint-disable-next-line require-yield
  *stepReads(): Reads<void> {
    throw new Error(`the ${this.method} method has no upper level`);
  }
  stateTensors(): tf.Tensor[] {
    return [];
  }
  domainWeights(): number[] {
    return new Array<number>(this.domainCount).fill(1);
  }
  instanceWeights(): null {
    return null;
  }
  getState(): WeightingState {
    return { arrays: {} };
  }
  setState(): void {}
  dispose(): void {}
}

/** DreamPRM: ŵ_d = softplus(α_d) / mean_k softplus(α_k), α initialised at 0. */
class DomainTable implements Weighting {
  readonly method = 'domain' as const;
  readonly needsProbs = false;
  private readonly alpha: tf.Variable;
  private readonly opt: AdamW;

  constructor(private readonly ctx: WeightingContext) {
    this.alpha = tf.variable(tf.zeros([ctx.domainCount]), true);
    this.opt = new AdamW({ alpha: this.alpha }, ctx.config.upper.weightDecay, ctx.config.upper.clip);
    this.current = this.normalised();
  }

  /** ŵ as of the last step, kept so that reading it needs no new tensor (see stateTensors) */
  private current: tf.Tensor1D;

  private normalised(): tf.Tensor1D {
    return tf.tidy(() => {
      const s = tf.softplus(this.alpha);
      return tf.div(s, tf.mean(s)) as tf.Tensor1D;
    });
  }

  /** w_i = ŵ_{d(i)} as a one-hot matMul: differentiable without tf.gather's gradient. */
  private batchWeights(b: Batch): tf.Tensor1D {
    return tf.tidy(() => {
      if (this.ctx.domainCount < 2) {
        // One domain: its normalised weight is 1 whatever α is (and tf.oneHot needs depth 2).
        // α stays in the graph, with a zero gradient, so the upper step remains defined.
        const sp = tf.softplus(this.alpha);
        return tf.mul(tf.ones([b.B]), tf.div(sp, sp)) as tf.Tensor1D;
      }
      const oh = tf.oneHot(b.domain, this.ctx.domainCount) as tf.Tensor2D;
      return tf.reshape(tf.matMul(oh, tf.reshape(this.normalised(), [-1, 1])), [b.B]) as tf.Tensor1D;
    });
  }

  weights(b: Batch): tf.Tensor1D {
    return this.batchWeights(b);
  }

  observe(): void {}

  *stepReads(b: Batch, _p: tf.Tensor2D, h: Float32Array, lr: number): Reads<void> {
    const hT = tf.tensor1d(h);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(hT, this.batchWeights(b))) as tf.Scalar, [this.alpha]);
    try {
      yield* this.opt.stepReads({ alpha: grads[this.alpha.name] }, lr);
    } finally {
      tf.dispose([hT, value, ...Object.values(grads)]);
    }
    this.current.dispose();
    this.current = this.normalised();
  }

  stateTensors(): tf.Tensor[] {
    return [this.alpha, this.current, ...this.opt.stateTensors()];
  }

  domainWeights(): number[] {
    return Array.from(this.current.dataSync());
  }

  instanceWeights(): null {
    return null;
  }

  getState(): WeightingState {
    return { arrays: { alpha: this.alpha.dataSync() as Float32Array }, adam: this.opt.getState() };
  }

  setState(s: WeightingState): void {
    tf.tidy(() => this.alpha.assign(tf.tensor1d(s.arrays.alpha as Float32Array)));
    if (s.adam) this.opt.setState(s.adam);
    this.current.dispose();
    this.current = this.normalised();
  }

  dispose(): void {
    this.current.dispose();
    this.alpha.dispose();
    this.opt.dispose();
  }
}

/**
 * DreamPRM-1.5 instance table: one raw β_i per training instance (init 1.0), w_i = act(β_i).
 * The table is a flat Float32Array and a step reads and writes only the batch's rows, so its
 * cost does not depend on how many instances there are.
 */
class InstanceTable implements Weighting {
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

/**
 * DreamPRM-1.5 instance net (Meta-Weight-Net style): g_φ on per-step features
 * [p_t, m_t, |p_t - m_t|], LeakyReLU hidden layer, mean over the instance's labelled steps,
 * then w = lo + (hi - lo)·sigmoid(·). φ is shared by all instances.
 */
class InstanceNet implements Weighting {
  readonly method = 'instance-net' as const;
  readonly needsProbs = true;
  private readonly vars: Record<string, tf.Variable>;
  private readonly opt: AdamW;
  /** the weight each instance had the last time it was in a batch (1 before that) */
  private readonly last: Float32Array;
  private readonly lo: number;
  private readonly hi: number;

  constructor(private readonly ctx: WeightingContext) {
    const hn = ctx.config.upper.netHidden;
    this.lo = ctx.config.upper.lo;
    this.hi = ctx.config.upper.hi;
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
      return tf.add(this.lo, tf.mul(this.hi - this.lo, tf.sigmoid(z))) as tf.Tensor1D;
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

function domainMeans(w: Float32Array, ctx: WeightingContext): number[] {
  const sum = new Float64Array(ctx.domainCount);
  const cnt = new Float64Array(ctx.domainCount);
  for (let i = 0; i < w.length; i++) {
    sum[ctx.instanceDomains[i]] += w[i];
    cnt[ctx.instanceDomains[i]] += 1;
  }
  return Array.from(sum, (s, d) => (cnt[d] ? s / cnt[d] : 1));
}
