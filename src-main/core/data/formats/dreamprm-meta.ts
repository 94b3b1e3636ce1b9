import { z } from 'zod';
import type { AdaptContext, ImageRef, NormalizedCot } from '../normalized';
import { splitSteps } from '../split-steps';
import { check, fail, type Checked } from '../validation';

/**
 * DreamPRM meta rows `{id, true_false, input, image_path}`: `input` is the question followed by
 * the whole response; the response is split into steps (split-steps.ts) and `true_false` is the
 * CoT's correctness label. Rows sharing an id are different CoTs of one question.
 */
const record = z.object({
  id: z.union([z.string().min(1, 'must not be empty'), z.number()]),
  true_false: z.boolean(),
  input: z.string(),
  image_path: z.union([z.string(), z.array(z.string())]).optional(),
  dataset: z.string().min(1).optional(),
  ground_truth: z.union([z.string(), z.number()]).nullable().optional(),
});

/**
 * Splits "Question: ...\nOptions: (A) ...\n\n<response>" into its two parts. The question ends
 * with its "Options:" line when there is one, else at the first blank line (the reference
 * writes the question, a blank line, then the response).
 */
export function splitMetaInput(input: string): { question: string; response: string } {
  const text = input.replace(/\r\n?/g, '\n').trim();
  const options = /^(?:Options|Choices)\s*:.*$/im.exec(text);
  const end = options ? options.index + options[0].length : text.search(/\n[ \t]*\n/);
  if (end < 0) return { question: text, response: '' };
  return { question: text.slice(0, end).trim(), response: text.slice(end).trim() };
}

export function adaptDreamPrmMeta(value: unknown, ctx: AdaptContext): Checked<NormalizedCot> {
  const r = check(record, value);
  if (!r.ok) return r;
  const rec = r.value;
  const { question, response } = splitMetaInput(rec.input);
  if (!question) return fail('input', 'is empty: expected the question followed by the response');
  if (!response) {
    return fail('input', 'holds only the question: no response after it to split into steps');
  }
  const { steps, finalAnswer } = splitSteps(response);
  const paths = rec.image_path === undefined ? [] : typeof rec.image_path === 'string' ? [rec.image_path] : rec.image_path;
  const images: ImageRef[] = paths
    .filter((p) => p.trim())
    .map((path, i) => ({ path, field: typeof rec.image_path === 'string' ? 'image_path' : `image_path[${i}]` }));
  return {
    ok: true,
    value: {
      records: [ctx.record],
      domain: ctx.domain ?? rec.dataset ?? ctx.fileStem,
      pool: ctx.pool ?? 'meta',
      qid: String(rec.id),
      question,
      groundTruth: rec.ground_truth == null ? null : String(rec.ground_truth),
      task: null,
      images,
      cotId: null,
      steps: steps.map((text) => ({ text, mc: null, k: null, human: null, vector: null })),
      answer: finalAnswer ?? null,
      correct: rec.true_false,
    },
  };
}
