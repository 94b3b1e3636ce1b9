import { z } from 'zod';
import { UserError } from '../errors';
import { ColdStartSchema, LowerSchema, ModelSchema, SelectionSchema, UpperSchema } from './config-sections';
import { setting } from './setting-meta';
import { learnsWeights, METHODS, REWEIGHTING_METHODS, selectsData, type Method } from '../../../src-shared/training';

/**
 * The one typed configuration of a training run, stored with the run as JSON. Defaults follow
 * the reference code (DreamPRM for the domain table, DreamPRM-1.5 for the instance methods)
 * where it applies. Model sizes, batch and lower learning rate are ours, measured on the
 * built-in sample on a 2-core CPU: the compact PRM learns to check steps against the image
 * only after a plateau, which batches of 128 at lr 0.01 cross several times sooner than 32.
 */

export { METHODS, learnsWeights, selectsData, type Method };
export { ModelSchema, type ModelConfig } from './config-sections';

const REWEIGHTED = { methods: REWEIGHTING_METHODS };
/** Bookkeeping intervals: set by flag or config file, not worth a place in the form. */
const NOT_IN_FORM = { form: false } as const;

export const TrainConfigSchema = z
  .strictObject({
    /** not a setting: the run's kind, chosen by --method and the form's method list */
    method: z.enum(METHODS),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0)
      .meta(setting('Seed', 'same seed and config give the same run on one backend')),
    steps: z.number().int().min(1).max(10_000_000).default(1500).meta(setting('Training steps', 'lower-level optimizer steps')),
    batchSize: z.number().int().min(1).max(4096).default(128).meta(setting('Batch size', 'training CoTs per step')),
    metaBatchSize: z.number().int().min(1).max(4096).default(32).meta(setting('Meta batch size', 'meta CoTs per upper step', REWEIGHTED)),
    warmupFraction: z.number().min(0).max(1).default(0.05)
      .meta(setting('Warm-up fraction', 'fraction of steps of linear warm-up before the cosine decay (both levels)')),
    model: ModelSchema.prefault({}),
    lower: LowerSchema.prefault({}),
    upper: UpperSchema.prefault({}),
    coldStart: ColdStartSchema.prefault({}),
    selection: SelectionSchema.prefault({}),
    metaSource: z.enum(['meta', 'test']).default('meta').meta(setting(
      'Meta set',
      'meta: the meta pool. test: the DreamPRM-1.5 sanity check, weights learnt on the test pool itself: an upper bound, never a result',
      REWEIGHTED,
    )),
    checkpointEvery: z.number().int().min(1).default(100).meta(setting('Checkpoint every', 'steps between checkpoints', NOT_IN_FORM)),
    snapshotEvery: z.number().int().min(1).default(50)
      .meta(setting('Snapshot every', 'steps between instance-weight snapshots and domain-weight trajectory points', NOT_IN_FORM)),
    metricsEvery: z.number().int().min(1).default(5).meta(setting('Metrics every', 'steps between recorded metrics', NOT_IN_FORM)),
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
export const METHOD_DEFAULTS: Readonly<Record<Method, DeepPartial<TrainConfig>>> = {
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

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

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
