import * as tf from '@tensorflow/tfjs';
import { runSync, type Reads } from './reads';
import type { AggName } from './aggregate';
import type { Batch } from './batch';
import { instanceLosses, metaLoss, stopGradient, weightedMean, type LowerLoss, type MetaTarget } from './losses';
import { AdamW, type AdamState } from './optim';
import type { Params } from './ops';
import { paramNames, type Prm } from './prm';
import type { Rng } from './rng';

/** The instance weights the lower level trains with, given the PRM's current step scores. */
export type WeightFn = (batch: Batch, stepProbs: tf.Tensor2D) => tf.Tensor1D;

export interface LowerStepResult {
  /** unweighted mean of ℓ_i over the batch */
  trainLoss: number;
  /** L_train = mean w_i ℓ_i */
  weightedLoss: number;
  /** the batch's weights as used */
  weights: Float32Array;
  gradNorm: number;
}

export interface LowerState {
  params: Record<string, Float32Array>;
  adam: AdamState;
}

/**
 * The lower problem: the PRM θ, its AdamW optimizer and the weighted training loss
 * L_train(θ, w) = (1/|B|) Σ w_i ℓ_i(θ).
 */
export class LowerProblem {
  readonly vars: Record<string, tf.Variable>;
  readonly names: string[];
  private readonly opt: AdamW;

  constructor(
    readonly prm: Prm,
    rng: Rng,
    readonly loss: LowerLoss,
    weightDecay: number,
    clip: number,
    init?: Record<string, Float32Array>,
  ) {
    this.names = paramNames(prm);
    const values = init ?? prm.init(rng);
    this.vars = {};
    for (const n of this.names) {
      if (!values[n]) throw new Error(`PRM parameter ${n} is missing from the initial values`);
      this.vars[n] = tf.variable(tf.tensor(values[n], prm.shapes[n]), true);
    }
    this.opt = new AdamW(this.vars, weightDecay, clip);
  }

  get params(): Params {
    return this.vars;
  }

  logits(params: Params, b: Batch): tf.Tensor2D {
    return this.prm.forward(params, b);
  }

  /** ℓ_i at the given parameters, [B]. */
  losses(params: Params, b: Batch): tf.Tensor1D {
    return tf.tidy(() => instanceLosses(this.loss, this.prm.forward(params, b), b));
  }

  /** L_train at the given parameters and weights (weights are constants here). */
  trainLoss(params: Params, b: Batch, w: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => weightedMean(w, this.losses(params, b)));
  }

  metaLoss(params: Params, b: Batch, agg: AggName, target: MetaTarget): tf.Scalar {
    return tf.tidy(() => metaLoss(agg, target, this.prm.forward(params, b), b));
  }

  /** One optimizer step on L_train with weights from `weightFn`. */
  step(b: Batch, weightFn: WeightFn, lr: number): LowerStepResult {
    return runSync(this.stepReads(b, weightFn, lr));
  }

  /** step() as a generator that yields what it reads (see reads.ts). */
  *stepReads(b: Batch, weightFn: WeightFn, lr: number): Reads<LowerStepResult> {
    let plain: tf.Scalar | undefined;
    let w: tf.Tensor1D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const logits = this.prm.forward(this.vars, b);
      const li = instanceLosses(this.loss, logits, b);
      // The weights are the upper level's: constants for the lower step.
      w = tf.keep(stopGradient(weightFn(b, stopGradient(tf.sigmoid(logits) as tf.Tensor2D))));
      plain = tf.keep(tf.mean(li) as tf.Scalar);
      return weightedMean(w, li);
    }, Object.values(this.vars));
    try {
      const gradNorm = yield* this.opt.stepReads(this.byName(grads), lr);
      return {
        trainLoss: (yield plain!)[0],
        weightedLoss: (yield value)[0],
        weights: (yield w!) as Float32Array,
        gradNorm,
      };
    } finally {
      tf.dispose([value, plain!, w!, ...Object.values(grads)]);
    }
  }

  /** ∇θ of the meta loss (for darts) with its value. Caller disposes the grads. */
  *metaGradReads(b: Batch, agg: AggName, target: MetaTarget): Reads<{ loss: number; grads: Record<string, tf.Tensor> }> {
    const { value, grads } = tf.variableGrads(() => this.metaLoss(this.vars, b, agg, target), Object.values(this.vars));
    let loss: number;
    try {
      loss = (yield value)[0];
    } catch (e) {
      tf.dispose(Object.values(grads));
      throw e;
    } finally {
      value.dispose();
    }
    return { loss, grads: this.byName(grads) };
  }

  /** ∇θ of the mean logit over the meta batch's steps: the "raise every score" direction. */
  shiftGrad(b: Batch): Record<string, tf.Tensor> {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const logits = this.prm.forward(this.vars, b);
          return tf.div(tf.sum(tf.mul(logits, b.stepMask)), tf.maximum(tf.sum(b.stepMask), 1)) as tf.Scalar;
        }),
      Object.values(this.vars),
    );
    value.dispose();
    return this.byName(grads);
  }

  /** variableGrads keys by variable name; everything else here keys by parameter name. */
  private byName(grads: tf.NamedTensorMap): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const n of this.names) out[n] = grads[this.vars[n].name];
    return out;
  }

  /** the tensors getState reads (prefetched before it on backends without synchronous reads) */
  stateTensors(): tf.Tensor[] {
    return [...Object.values(this.vars), ...this.opt.stateTensors()];
  }

  getState(): LowerState {
    const params: Record<string, Float32Array> = {};
    for (const n of this.names) params[n] = this.vars[n].dataSync() as Float32Array;
    return { params, adam: this.opt.getState() };
  }

  setState(s: LowerState): void {
    for (const n of this.names) tf.tidy(() => this.vars[n].assign(tf.tensor(s.params[n], this.prm.shapes[n])));
    this.opt.setState(s.adam);
  }

  dispose(): void {
    tf.dispose(Object.values(this.vars));
    this.opt.dispose();
  }
}
