import { z } from 'zod';
import { UserError } from '../errors';
import { AGGREGATIONS } from './aggregate';
import { learnsWeights, META_TARGETS, METHODS, selectsData, type Method } from '../../../src-shared/training';

/**
 * The one typed configuration of a training run, stored with the run as JSON. Defaults follow
 * the reference code (DreamPRM for the domain table, DreamPRM-1.5 for the instance methods)
 * where it applies. Model sizes, batch and lower learning rate are ours, measured on the
 * built-in sample on a 2-core CPU: the compact PRM learns to check steps against the image
 * only after a plateau, which batches of 128 at lr 0.01 cross several times sooner than 32.
 */

export { METHODS, learnsWeights, selectsData, type Method };

const aggregation = z.enum(AGGREGATIONS as unknown as ['mean', 'logodds', 'min', 'max', 'prod', 'last']);

export const ModelSchema = z.strictObject({
  /** compact: multimodal PRM from scratch; features: an MLP on precomputed step vectors */
  kind: z.enum(['compact', 'features']).default('compact'),
  /** false: the text-only ablation (no image reader) */
  image: z.boolean().default(true),
  imageSize: z.number().int().min(8).max(256).default(48),
  /** the image reader's patches are patchSize × patchSize pixels (must divide imageSize) */
  patchSize: z.number().int().min(2).max(64).default(8),
  /** detectors per patch in the image reader (colours, shapes, strokes) */
  patchChannels: z.number().int().min(1).max(128).default(16),
  /** read heads per step: each looks at its own rows and columns of patches */
  readerHeads: z.number().int().min(1).max(16).default(4),
  /** token embedding width */
  embedDim: z.number().int().min(4).max(512).default(48),
  /** width of the text state, the check features and the fusion layer */
  hidden: z.number().int().min(4).max(1024).default(64),
  /** steps per CoT kept (longer CoTs keep their first maxSteps-1 steps and the final one) */
  maxSteps: z.number().int().min(2).max(64).default(8),
  /** tokens per step and per question kept */
  maxStepTokens: z.number().int().min(2).max(256).default(16),
  maxQuestionTokens: z.number().int().min(2).max(512).default(32),
  /** dropout rate on the fusion layer while training (0: none) */
  dropout: z.number().min(0).max(0.9).default(0),
  /** word vocabulary size cap (incl. special tokens); most frequent words win */
  vocabSize: z.number().int().min(8).max(5000).default(1000),
  /** hashed word-bigram buckets (local word order: "bar c", "row 2"); 0 disables them */
  bigramBuckets: z.number().int().min(0).max(8192).default(128),
});
export type ModelConfig = z.infer<typeof ModelSchema>;

export const LowerSchema = z.strictObject({
  /** per-step loss against m: squared error (DreamPRM) or soft-target binary cross-entropy */
  loss: z.enum(['mse', 'bce']).default('mse'),
  lr: z.number().positive().max(1).default(0.01),
  weightDecay: z.number().min(0).max(1).default(0.01),
  clip: z.number().positive().default(1.0),
});

export const UpperSchema = z.strictObject({
  /** meta learning rate of the AdamW upper optimizer */
  metaLr: z.number().positive().max(10).default(0.01),
  weightDecay: z.number().min(0).max(1).default(1e-3),
  clip: z.number().positive().default(1.0),
  /** lower steps per upper step (U) */
  unroll: z.number().int().min(1).max(1000).default(5),
  hypergradient: z.enum(['darts', 'exact']).default('darts'),
  /** finite-difference radius r: epsilon = r / ||grad of the meta loss|| */
  dartsRadius: z.number().positive().max(1).default(0.01),
  /** how a meta CoT's step scores are aggregated before comparing with its label */
  aggregation: aggregation.default('logodds'),
  /**
   * 'label': (A - y)^2 (DreamPRM); 'both': A over p if y = 1 else over 1 - p, (A - 1)^2 (1.5);
   * 'rank' (ours): softplus(z_k - z_j) over (correct j, incorrect k) pairs, z the batch-
   * standardised log-odds of A; pairs within a question when the meta batch has any (a meta
   * pool with several CoTs per question), else across the batch. It sees only the order of
   * the scores, as best-of-N does: the other two also reward a shift (a base-rate difference
   * between train labels and meta pool) and a shrinkage (labels pulled towards 0.5 make an
   * overconfident PRM look better)
   */
  target: z.enum(META_TARGETS).default('label'),
  /**
   * darts only: ignore the part of the meta gradient that moves all scores alike (a base-rate
   * difference between meta pool and train labels), so weights follow label quality rather
   * than label level. Ours, not in the references.
   */
  shiftInvariant: z.boolean().default(false),
  /** bounds of an instance weight (table: clamp; net: the range of its sigmoid) */
  lo: z.number().default(-1),
  hi: z.number().default(3),
  /** instance table activation: clip to [lo, hi], LeakyReLU, or identity */
  tableActivation: z.enum(['clip', 'leaky-relu', 'identity']).default('clip'),
  /** instance net hidden width (reference: 10..500) */
  netHidden: z.number().int().min(1).max(1024).default(32),
});

export const ColdStartSchema = z.strictObject({
  /** start the PRM from this completed uniform run's weights (and vocabulary) */
  fromRun: z.number().int().positive().nullable().default(null),
  /** or train uniformly for the first S0 steps before the upper level starts */
  steps: z.number().int().min(0).default(0),
});

export const SelectionSchema = z.strictObject({
  /** s1 and car: share of the training instances kept */
  keep: z.number().gt(0).max(1).default(0.5),
  /** car: clusters of similar instances, each keeping its best `keep` share */
  clusters: z.number().int().min(1).max(256).default(8),
});

export const TrainConfigSchema = z
  .strictObject({
    method: z.enum(METHODS),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    steps: z.number().int().min(1).max(10_000_000).default(1500),
    batchSize: z.number().int().min(1).max(4096).default(128),
    metaBatchSize: z.number().int().min(1).max(4096).default(32),
    /** fraction of steps of linear warm-up before the cosine decay (both levels) */
    warmupFraction: z.number().min(0).max(1).default(0.05),
    model: ModelSchema.prefault({}),
    lower: LowerSchema.prefault({}),
    upper: UpperSchema.prefault({}),
    coldStart: ColdStartSchema.prefault({}),
    selection: SelectionSchema.prefault({}),
    /**
     * Where the meta set comes from: the meta pool, or (the DreamPRM-1.5 "sanity check", an
     * upper bound and never a result) the test pool's candidates themselves.
     */
    metaSource: z.enum(['meta', 'test']).default('meta'),
    checkpointEvery: z.number().int().min(1).default(100),
    /** instance-weight snapshot and domain-weight trajectory interval */
    snapshotEvery: z.number().int().min(1).default(50),
    metricsEvery: z.number().int().min(1).default(5),
  })
  .superRefine((c, ctx) => {
    if (c.upper.lo >= c.upper.hi) {
      ctx.addIssue({ code: 'custom', path: ['upper', 'lo'], message: 'upper.lo must be below upper.hi' });
    }
    if (c.model.imageSize % c.model.patchSize !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['model', 'patchSize'],
        message: `model.patchSize (${c.model.patchSize}) must divide model.imageSize (${c.model.imageSize})`,
      });
    }
    if (c.method === 'car' && c.coldStart.fromRun === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['coldStart', 'fromRun'],
        message: 'the car method ranks instances with the PRM it starts from: set coldStart.fromRun to a completed uniform run',
      });
    }
    if (c.coldStart.steps >= c.steps && learnsWeights(c.method)) {
      ctx.addIssue({ code: 'custom', path: ['coldStart', 'steps'], message: 'coldStart.steps must be below steps' });
    }
  });

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** Per-method reference defaults layered under the user's input. */
const METHOD_DEFAULTS: Record<Method, DeepPartial<TrainConfig>> = {
  uniform: {},
  // DreamPRM: domain table, AdamW meta lr 1e-2, unroll 5, log-odds aggregation.
  // Meta batch: the whole of a typical meta pool (ours): with 32 CoTs the meta gradient's
  // noise decided the ranking of similar domains (sample seed 2: Spearman 0.26 vs 0.71).
  domain: { metaBatchSize: 400, upper: { metaLr: 0.01, unroll: 5 } },
  // DreamPRM-1.5 instance table: meta lr 5e-3, unroll 1, weights clipped to [-1, 3].
  'instance-table': { upper: { metaLr: 5e-3, unroll: 1, lo: -1, hi: 3, tableActivation: 'clip' } },
  // DreamPRM-1.5 instance net: meta lr 1e-4, unroll 1, sigmoid-bounded weights (here scaled
  // to (0, 2) so that an untrained net gives weight 1 like the other methods).
  'instance-net': { upper: { metaLr: 1e-4, unroll: 1, lo: 0, hi: 2 } },
  s1: {},
  car: {},
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** Validates a config (from a file, the CLI or the UI), filling reference defaults per method. */
export function parseTrainConfig(input: unknown, label = 'training config'): TrainConfig {
  if (!isPlainObject(input)) throw new UserError(`${label}: expected a JSON object`);
  const method = input.method;
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    throw new UserError(`${label}: method must be one of ${METHODS.join(', ')} (got ${JSON.stringify(method)})`);
  }
  const merged = deepMerge(METHOD_DEFAULTS[method as Method], input);
  const r = TrainConfigSchema.safeParse(merged);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UserError(`${label}: ${issues.join('; ')}`);
  }
  return r.data;
}

export function defaultConfig(method: Method): TrainConfig {
  return parseTrainConfig({ method });
}

/** {a: {b: 1}} → {'a.b': 1}: the flat form a settings form edits. */
export function flattenConfig(c: object, prefix = ''): Record<string, number | string | boolean | null> {
  const out: Record<string, number | string | boolean | null> = {};
  for (const [k, v] of Object.entries(c)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v)) Object.assign(out, flattenConfig(v, key));
    else out[key] = v as number | string | boolean | null;
  }
  return out;
}

/** {'a.b': 1} → {a: {b: 1}} */
export function unflattenConfig(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) {
      if (!isPlainObject(node[p])) node[p] = {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = v;
  }
  return out;
}
