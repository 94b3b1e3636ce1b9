import * as tf from '@tensorflow/tfjs';
import { learnsWeights, type TrainConfig } from './config';
import { disposeBatch, gatherBatch, type Batch, type DeviceTable } from './batch';
import { dartsReads, exactReads, type MetaSpec } from './hypergradient';
import type { ImageTensors } from './image-features';
import type { LowerProblem, LowerState } from './lower';
import { cosineWithWarmup } from './optim';
import { runAsync, runSync, type Reads } from './reads';
import type { BatchSampler, EpochSampler, SamplerState } from './sampler';
import type { Weighting, WeightingState } from './weighting';

/** What one training step reports. */
export interface StepReport {
  step: number;
  trainLoss: number;
  weightedLoss: number;
  /** set when this step computed L_meta (an upper step, or monitoring for uniform) */
  metaLoss: number | null;
  lr: number;
  metaLr: number;
  upperStepped: boolean;
  instances: number;
}

export interface TrainingTensors {
  train: DeviceTable;
  meta: DeviceTable;
  /** every image's patches (row 0 blank), null for models without images */
  images: ImageTensors | null;
  patch: number;
}

/**
 * The upper problem: the weight parameterisation (with its AdamW inside), the meta data and
 * the meta loss. Its step turns a hypergradient on the lower level's last batch into an update
 * of the weights.
 */
export class UpperProblem {
  readonly spec: MetaSpec;

  constructor(
    readonly weighting: Weighting,
    private readonly config: TrainConfig,
    private readonly data: TrainingTensors,
    readonly metaSampler: EpochSampler,
  ) {
    this.spec = { agg: config.upper.aggregation, target: config.upper.target, shiftInvariant: config.upper.shiftInvariant };
  }

  private metaBatch(): Batch {
    return gatherBatch(this.data.meta, this.data.images, this.metaSampler.next(), this.data.patch);
  }

  /** One upper step using the lower level's last batch and its weights there; returns L_meta. */
  *step(lower: LowerProblem, batch: Batch, usedWeights: Float32Array, metaLr: number, lowerLr: number): Reads<number> {
    const meta = this.metaBatch();
    try {
      const u = this.config.upper;
      const { h, metaLoss } =
        u.hypergradient === 'exact'
          ? yield* exactReads(lower, batch, usedWeights, meta, this.spec, lowerLr)
          : yield* dartsReads(lower, batch, meta, this.spec, u.dartsRadius);
      // Only the instance net reads p_t; the others skip this forward pass.
      const probs = this.weighting.needsProbs
        ? tf.tidy(() => tf.sigmoid(lower.prm.forward(lower.vars, batch)) as tf.Tensor2D)
        : tf.zeros([batch.B, batch.T]) as tf.Tensor2D;
      try {
        yield* this.weighting.stepReads(batch, probs, h, metaLr);
      } finally {
        probs.dispose();
      }
      return metaLoss;
    } finally {
      disposeBatch(meta);
    }
  }

  /** L_meta on a fresh meta batch without updating anything (progress for uniform runs). */
  *monitor(lower: LowerProblem): Reads<number> {
    const meta = this.metaBatch();
    let l: tf.Scalar | undefined;
    try {
      l = lower.metaLoss(lower.vars, meta, this.spec.agg, this.spec.target);
      return (yield l)[0];
    } finally {
      l?.dispose();
      disposeBatch(meta);
    }
  }
}

export interface EngineState {
  step: number;
  trainSampler: SamplerState;
  metaSampler: SamplerState;
  lower: LowerState;
  upper: WeightingState;
}

/**
 * The schedule (Betty's engine): every step the lower problem takes one optimizer step on a
 * training batch with the upper level's weights; every U steps after the cold start the
 * upper problem takes one step from the hypergradient on that same batch.
 */
export class Engine {
  /** completed steps */
  step = 0;

  constructor(
    readonly config: TrainConfig,
    readonly lower: LowerProblem,
    readonly upper: UpperProblem,
    private readonly data: TrainingTensors,
    readonly trainSampler: BatchSampler,
  ) {}

  get totalSteps(): number {
    return this.config.steps;
  }

  lrAt(step: number): number {
    return cosineWithWarmup(step, this.config.steps, this.config.lower.lr, this.config.warmupFraction);
  }

  metaLrAt(step: number): number {
    return cosineWithWarmup(step, this.config.steps, this.config.upper.metaLr, this.config.warmupFraction);
  }

  private upperDue(step: number): boolean {
    const c = this.config;
    return learnsWeights(c.method) && step > c.coldStart.steps && step % c.upper.unroll === 0;
  }

  /** One step, reading values synchronously (cpu and wasm backends). */
  runStep(): StepReport {
    return runSync(this.stepReads());
  }

  /** One step, reading values asynchronously: works on every backend, webgpu included. */
  runStepAsync(): Promise<StepReport> {
    return runAsync(this.stepReads());
  }

  /** Every tensor getState and the weighting's reports read, to prefetch before them. */
  stateTensors(): tf.Tensor[] {
    return [...this.lower.stateTensors(), ...this.upper.weighting.stateTensors()];
  }

  private *stepReads(): Reads<StepReport> {
    const s = this.step;
    const lr = this.lrAt(s);
    const metaLr = this.metaLrAt(s);
    const batch = gatherBatch(this.data.train, this.data.images, this.trainSampler.next(), this.data.patch);
    const dropoutSeed = (Math.imul(this.config.seed + 1, 0x9e3779b1) ^ s) >>> 0;
    const trainBatch: Batch = { ...batch, dropout: { rate: this.config.model.dropout, seed: dropoutSeed } };
    try {
      const w = this.upper.weighting;
      const inColdStart = s < this.config.coldStart.steps;
      const weightFn = inColdStart || !learnsWeights(this.config.method)
        ? (b: Batch) => tf.ones([b.B]) as tf.Tensor1D
        : (b: Batch, p: tf.Tensor2D) => w.weights(b, p);
      const low = yield* this.lower.stepReads(trainBatch, weightFn, lr);
      w.observe(batch, low.weights);
      const stepNo = s + 1;
      let metaLoss: number | null = null;
      let upperStepped = false;
      if (this.upperDue(stepNo)) {
        metaLoss = yield* this.upper.step(this.lower, batch, low.weights, metaLr, lr);
        upperStepped = true;
      } else if (
        (!learnsWeights(this.config.method) || inColdStart) &&
        (stepNo % this.config.metricsEvery === 0 || stepNo === this.config.steps)
      ) {
        metaLoss = yield* this.upper.monitor(this.lower);
      }
      this.step = stepNo;
      return {
        step: stepNo,
        trainLoss: low.trainLoss,
        weightedLoss: low.weightedLoss,
        metaLoss,
        lr,
        metaLr,
        upperStepped,
        instances: batch.B,
      };
    } finally {
      disposeBatch(batch);
    }
  }

  getState(): EngineState {
    return {
      step: this.step,
      trainSampler: this.trainSampler.getState(),
      metaSampler: this.upper.metaSampler.getState(),
      lower: this.lower.getState(),
      upper: this.upper.weighting.getState(),
    };
  }

  setState(s: EngineState): void {
    this.step = s.step;
    this.trainSampler.setState(s.trainSampler);
    this.upper.metaSampler.setState(s.metaSampler);
    this.lower.setState(s.lower);
    this.upper.weighting.setState(s.upper);
  }
}
