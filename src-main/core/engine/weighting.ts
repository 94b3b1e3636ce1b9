import type * as tf from '@tensorflow/tfjs';
import type { Reads } from './reads';
import type { Method, TrainConfig } from './config';
import type { Batch } from './batch';
import type { AdamState } from './optim';
import type { Rng } from './rng';

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

/** The mean weight of each domain's instances (1 for a domain with none). */
export function domainMeans(w: Float32Array, ctx: WeightingContext): number[] {
  const sum = new Float64Array(ctx.domainCount);
  const cnt = new Float64Array(ctx.domainCount);
  for (let i = 0; i < w.length; i++) {
    sum[ctx.instanceDomains[i]] += w[i];
    cnt[ctx.instanceDomains[i]] += 1;
  }
  return Array.from(sum, (s, d) => (cnt[d] ? s / cnt[d] : 1));
}
