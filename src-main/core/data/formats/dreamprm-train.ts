import { z } from 'zod';
import type { ImportRecordError } from '../../types';
import type { AdaptContext, NormalizedCot, NormalizedStep } from '../normalized';
import { finalAnswerOf } from '../split-steps';
import { check, describe, type Checked } from '../validation';

/**
 * DreamPRM training rows `{id, sid, input, add, ground_truth?, image_path, dataset, score?,
 * times?, accuracy}`. Rows sharing `id` are one CoT, ordered by `sid`; `accuracy` is the
 * Monte Carlo label m of the prefix ending at that step and `times` its rollout count K.
 *
 * In the reference generator (DreamPRM MC/Tree_generation.py) `input` is the question and `add`
 * the response *up to and including* step `sid`, so a step's own text is the part of its `add`
 * beyond the previous row's `add`. An `add` that does not extend the previous one is taken as
 * the step text itself. An empty step (the reference writes "" for sids past a short CoT's end)
 * adds no step.
 */
const row = z.object({
  id: z.union([z.string().min(1, 'must not be empty'), z.number()]),
  sid: z.number().refine((n) => Number.isInteger(n) && n >= 0, {
    error: (i) => `sid must be a non-negative integer, got ${describe(i.input)}`,
  }),
  input: z.string(),
  add: z.string(),
  ground_truth: z.union([z.string(), z.number()]).nullable().optional(),
  image_path: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  dataset: z.string().refine((s) => s.trim().length > 0, 'must not be empty'),
  score: z.number().min(0, 'score must be >= 0').optional(),
  times: z
    .number()
    .refine((k) => Number.isInteger(k) && k > 0, { error: (i) => `times (K) must be a positive integer, got ${describe(i.input)}` })
    .optional(),
  accuracy: z.number().refine((m) => m >= 0 && m <= 1, { error: (i) => `accuracy (m) must be in [0, 1], got ${describe(i.input)}` }),
});

export interface TrainRow {
  record: number;
  id: string;
  sid: number;
  input: string;
  add: string;
  groundTruth: string | null;
  imagePaths: string[];
  imageField: string;
  dataset: string;
  m: number;
  k: number | null;
}

export function adaptTrainRow(value: unknown, ctx: AdaptContext): Checked<TrainRow> {
  const r = check(row, value);
  if (!r.ok) return r;
  const v = r.value;
  const paths = v.image_path == null ? [] : typeof v.image_path === 'string' ? [v.image_path] : v.image_path;
  return {
    ok: true,
    value: {
      record: ctx.record,
      id: String(v.id),
      sid: v.sid,
      input: v.input,
      add: v.add,
      groundTruth: v.ground_truth == null ? null : String(v.ground_truth),
      imagePaths: paths.filter((p) => p.trim()),
      imageField: typeof v.image_path === 'string' ? 'image_path' : 'image_path[0]',
      dataset: v.dataset.trim(),
      m: v.accuracy,
      k: v.times ?? null,
    },
  };
}

/** The id of a row that failed validation, when it has a readable one: its CoT is rejected too. */
export function trainRowId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('id' in value)) return undefined;
  const id = (value as { id: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** Builds one CoT from all rows of an id, sorted by sid. */
export function buildTrainCot(
  rows: TrainRow[],
  ctx: Omit<AdaptContext, 'record'>,
): { ok: true; cot: NormalizedCot } | { ok: false; errors: ImportRecordError[] } {
  const first = rows[0];
  const errors: ImportRecordError[] = [];
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i];
    if (r.sid === rows[i - 1].sid) {
      errors.push({ record: r.record, field: 'sid', message: `sid ${r.sid} appears twice for id ${describe(r.id)} (records ${rows[i - 1].record} and ${r.record})` });
    }
    if (r.dataset !== first.dataset) {
      errors.push({ record: r.record, field: 'dataset', message: `${describe(r.dataset)} differs from ${describe(first.dataset)} in record ${first.record} of the same id` });
    }
  }
  const question = first.input.trim();
  if (!question) errors.push({ record: first.record, field: 'input', message: 'is empty: expected the question' });

  const steps: NormalizedStep[] = [];
  let previous = '';
  for (const r of rows) {
    const text = (previous && r.add.startsWith(previous) ? r.add.slice(previous.length) : r.add).trim();
    if (r.add.trim()) previous = r.add;
    if (text) steps.push({ text, mc: r.m, k: r.k, human: null, vector: null });
  }
  if (!errors.length && !steps.length) {
    errors.push({ record: first.record, field: 'add', message: `has no steps: every row of id ${describe(first.id)} has an empty add` });
  }
  if (errors.length) return { ok: false, errors };

  return {
    ok: true,
    cot: {
      records: rows.map((r) => r.record),
      domain: ctx.domain ?? first.dataset,
      pool: ctx.pool ?? 'train',
      qid: first.id,
      question,
      groundTruth: rows.find((r) => r.groundTruth !== null)?.groundTruth ?? null,
      task: null,
      images: first.imagePaths.map((path, i) => ({ path, field: i === 0 ? first.imageField : `image_path[${i}]` })),
      cotId: null,
      steps,
      answer: finalAnswerOf(steps[steps.length - 1].text) ?? null,
      correct: null,
    },
  };
}
