import { z } from 'zod';
import type { CanonicalCotRecord, CanonicalStep } from '../../types';
import type { AdaptContext, NormalizedCot } from '../normalized';
import { check, describe, type Checked } from '../validation';

const text = z.string().refine((s) => s.trim().length > 0, 'must not be empty');

const step = z
  .strictObject({
    text: z.string().refine((s) => s.trim().length > 0, 'step text is empty'),
    m: z
      .number()
      .refine((m) => m >= 0 && m <= 1, { error: (i) => `m must be in [0, 1], got ${describe(i.input)}` })
      .optional(),
    k: z
      .number()
      .refine((k) => Number.isInteger(k) && k > 0, { error: (i) => `k must be a positive integer, got ${describe(i.input)}` })
      .optional(),
    label: z.union([z.literal(0), z.literal(1)], { error: (i) => `label must be 0 or 1, got ${describe(i.input)}` }).optional(),
    vector: z.array(z.number().refine(Number.isFinite, 'must be a finite number')).min(1, 'vector is empty').optional(),
  })
  .refine((s) => s.k === undefined || s.m !== undefined, { error: 'k is given without m', path: ['k'] });

/** The canonical JSONL record (types.ts CanonicalCotRecord), checked field by field. */
export const canonicalRecord = z.strictObject({
  qid: text,
  question: text,
  images: z.array(text).optional(),
  groundTruth: z.string().optional(),
  task: text.optional(),
  domain: text,
  pool: z
    .enum(['train', 'meta', 'test'], {
      error: (i) => `unknown pool ${describe(i.input)}: use train, meta or test`,
    })
    .optional(),
  cotId: text.optional(),
  steps: z.array(step).min(1, 'has no steps: a CoT needs at least one'),
  answer: z.string().optional(),
  correct: z.boolean().optional(),
});

// The schema must produce exactly the shared type: a field added to one and not the other
// fails the build here.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Parsed = z.output<typeof canonicalRecord>;
const schemaMatchesType: Same<Parsed, CanonicalCotRecord> = true;
void schemaMatchesType;

export function adaptCanonical(value: unknown, ctx: AdaptContext): Checked<NormalizedCot> {
  const r = check(canonicalRecord, value);
  if (!r.ok) return r;
  const rec: CanonicalCotRecord = r.value;
  return {
    ok: true,
    value: {
      records: [ctx.record],
      domain: ctx.domain ?? rec.domain.trim(),
      pool: rec.pool ?? ctx.pool ?? 'train',
      qid: rec.qid,
      question: rec.question,
      groundTruth: rec.groundTruth ?? null,
      task: rec.task?.trim() ?? null,
      images: (rec.images ?? []).map((path, i) => ({ path, field: `images[${i}]` })),
      cotId: rec.cotId ?? null,
      steps: rec.steps.map((s: CanonicalStep) => ({
        text: s.text.trim(),
        mc: s.m ?? null,
        k: s.k ?? null,
        human: s.label ?? null,
        vector: s.vector ?? null,
      })),
      answer: rec.answer ?? null,
      correct: rec.correct ?? null,
    },
  };
}
