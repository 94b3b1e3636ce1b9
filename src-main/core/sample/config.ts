import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors';
import defaultConfigJson from '../../../resources/sample/default-config.json';
import { TASK_NAMES } from './tasks';

const rate = z.number().min(0).max(1);
const count = (max: number) => z.int().min(1).max(max);
// names become file names (images/<domain>_<qid>.png) and domain names in the store
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/, 'use letters, digits, "." and "-" (at most 64 characters)');
const task = z.enum(TASK_NAMES);

/** Knobs of the simulated policy, shared by every pool. */
const policyKnobs = {
  /** share of questions in the long variant (more values to read, 6 steps instead of 4) */
  difficulty: rate.default(0.5),
  /** mean probability of misreading one value from the image */
  policyErrorRate: rate.default(0.1),
  /** mean probability of a wrong arithmetic result */
  arithmeticErrorRate: rate.default(0.03),
  /** spread of the per-question error rate around its mean (0 = all questions alike) */
  hardnessSpread: rate.default(0.8),
  /** share of questions with a trap: one value misread the same way in most readings */
  trapRate: rate.default(0),
  /** probability of falling into a question's trap when reading that value */
  trapStrength: rate.default(0.8),
};

const trainDomain = z.strictObject({
  name,
  /** tasks mixed in turn, question by question (a source covers several kinds of question) */
  tasks: z.array(task).min(1),
  /** number of CoTs */
  size: count(1_000_000),
  cotsPerQuestion: count(64).default(2),
  /** Monte Carlo rollouts per step label */
  k: count(1024).default(16),
  /** share of step labels a bad pipeline replaced by a wrong value */
  corruptionRate: rate.default(0),
  /** invert: m → 1 − m; random: a uniformly random value among 0, 1/k, …, 1 */
  corruption: z.enum(['invert', 'random']).default('invert'),
  ...policyKnobs,
});

const metaPool = z.strictObject({
  name,
  tasks: z.array(task).min(1),
  size: count(1_000_000),
  cotsPerQuestion: count(64).default(1),
  ...policyKnobs,
});

const benchmark = z.strictObject({
  name,
  tasks: z.array(task).min(1),
  questions: count(100_000),
  candidates: count(64).default(8),
  ...policyKnobs,
});

export const sampleConfigSchema = z
  .strictObject({
    /** pixels per side; drawn at 48 and enlarged without smoothing, so a multiple of 48 */
    imageSize: z.union([z.literal(48), z.literal(96), z.literal(144), z.literal(192)]).default(48),
    train: z.array(trainDomain).min(1),
    meta: metaPool,
    test: z.array(benchmark).min(1),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    const names = [...cfg.train.map((d) => d.name), cfg.meta.name, ...cfg.test.map((b) => b.name)];
    for (const n of names) {
      if (seen.has(n.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['name'], message: `domain name "${n}" is used twice` });
      seen.add(n.toLowerCase());
    }
  });

export type SampleConfig = z.output<typeof sampleConfigSchema>;
export type TrainDomainConfig = SampleConfig['train'][number];
export type MetaPoolConfig = SampleConfig['meta'];
export type BenchmarkConfig = SampleConfig['test'][number];

/** Validates a config object; `source` names it in the error (a file path or "config"). */
export function parseSampleConfig(input: unknown, source = 'config'): SampleConfig {
  const result = sampleConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 8).map((issue) => {
    const where = issue.path.reduce<string>(
      (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
      '',
    );
    return `${where || '(top level)'}: ${issue.message}`;
  });
  throw new UserError(`invalid sample config ${source}: ${lines.join('; ')} (see "The built-in sample" in the README)`);
}

export function loadSampleConfig(file: string): SampleConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read sample config ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`sample config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseSampleConfig(json, file);
}

/** The built-in sample's configuration (resources/sample/default-config.json). */
export function defaultSampleConfig(): SampleConfig {
  return parseSampleConfig(structuredClone(defaultConfigJson), 'resources/sample/default-config.json');
}
