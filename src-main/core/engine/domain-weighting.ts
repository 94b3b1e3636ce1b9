import * as tf from '@tensorflow/tfjs';
import type { Reads } from './reads';
import type { Method } from './config';
import type { Batch } from './batch';
import { AdamW } from './optim';
import type { Weighting, WeightingContext, WeightingState } from './weighting';

/** Every weight 1: the uniform PRM, and the selection baselines on their selected data. */
export class UniformWeighting implements Weighting {
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
export class DomainTable implements Weighting {
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
