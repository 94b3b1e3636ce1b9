import { z } from 'zod';
import type { AdaptContext, ImageRef, NormalizedCot, NormalizedStep } from '../normalized';
import { finalAnswerOf, splitSteps } from '../split-steps';
import { check, describe, fail, type Checked, type FieldError } from '../validation';

/**
 * VisualPRM / InternVL conversation records: a system prompt, the question turn, then
 * alternating step turns and "+"/"-" turns. Both layouts seen in the wild are read: the
 * question in a turn of its own (DreamPRM-1.5's meta files) and the question and first step in
 * one turn separated by "### Solution Process:" (VisualPRM400K).
 * A "+"/"-" is stored as mc = 1/0 with k = null: a label that came with the dataset, not a
 * Monte Carlo estimate and not a person's judgement in this app.
 */
const turn = z.object({ from: z.string(), value: z.string() });
const imageField = z.union([z.string(), z.array(z.string())]);

const record = z.object({
  id: z.union([z.string().min(1, 'must not be empty'), z.number()]),
  image: imageField.optional(),
  images: imageField.optional(),
  true_false: z.boolean().optional(),
  response: z.string().optional(),
  conversations: z.array(turn).min(1, 'is empty'),
});

const QUESTION_HEADER = /^\s*#*\s*Question\s*:\s*/i;
const SOLUTION_HEADER = /\n?\s*#*\s*Solution Process\s*:\s*/i;
const SPLIT_PREFIX = /^(?:test|dev|val|validation|train)_/i;

/** `test_Art_113` → `Art`, `validation_Computer_Science_12` → `Computer_Science`. */
export function subjectFromId(id: string): string | undefined {
  const m = /^(.+?)_\d+$/.exec(id.trim());
  if (!m) return undefined;
  const subject = m[1].replace(SPLIT_PREFIX, '');
  return subject && !/^\d+$/.test(subject) ? subject : undefined;
}

export function adaptVisualPrm(value: unknown, ctx: AdaptContext): Checked<NormalizedCot> {
  const r = check(record, value);
  if (!r.ok) return r;
  const rec = r.value;
  const id = String(rec.id);

  const domain = ctx.domain ?? subjectFromId(id);
  if (!domain) {
    return fail('id', `cannot tell the domain from id ${describe(id)} (expected a subject in it, e.g. test_Art_113); pass --domain NAME`);
  }

  const parsed = readConversation(rec.conversations);
  if (!parsed.ok) return parsed;
  const { question, steps } = parsed.value;

  const lastStep = steps[steps.length - 1].text;
  const answer = finalAnswerOf(lastStep) ?? (rec.response ? splitSteps(rec.response).finalAnswer : undefined);
  return {
    ok: true,
    value: {
      records: [ctx.record],
      domain,
      pool: ctx.pool ?? 'train',
      qid: id,
      question,
      groundTruth: null,
      task: null,
      images: [...imageRefs(rec.image, 'image'), ...imageRefs(rec.images, 'images')],
      cotId: null,
      steps,
      answer: answer ?? null,
      correct: rec.true_false ?? null,
    },
  };
}

function imageRefs(v: string | string[] | undefined, field: string): ImageRef[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return v.trim() ? [{ path: v, field }] : [];
  return v.filter((p) => p.trim()).map((path, i) => ({ path, field: `${field}[${i}]` }));
}

const HUMAN = new Set(['human', 'user']);
const GPT = new Set(['gpt', 'assistant']);

function readConversation(
  turns: { from: string; value: string }[],
): Checked<{ question: string; steps: NormalizedStep[] }> {
  let i = 0;
  while (i < turns.length && turns[i].from === 'system') i++;
  if (i >= turns.length || !HUMAN.has(turns[i].from)) {
    const found = i < turns.length ? `a '${turns[i].from}' turn` : 'nothing';
    return fail(`conversations[${i}]`, `no question turn: expected a 'human' turn after the system prompt, found ${found}`);
  }

  // Pending step texts wait for their "+"/"-" turn.
  const pending: { text: string; at: number }[] = [];
  let question = turns[i].value.replace(QUESTION_HEADER, '');
  const sol = SOLUTION_HEADER.exec(question);
  if (sol) {
    pending.push({ text: question.slice(sol.index + sol[0].length), at: i });
    question = question.slice(0, sol.index);
  }
  question = question.trim();
  if (!question) return fail(`conversations[${i}].value`, 'the question turn is empty');

  const steps: NormalizedStep[] = [];
  const errors: FieldError[] = [];
  for (i++; i < turns.length; i++) {
    const t = turns[i];
    if (HUMAN.has(t.from)) {
      if (pending.length) break; // reported below: a step without its label
      pending.push({ text: t.value, at: i });
    } else if (GPT.has(t.from)) {
      const step = pending.pop();
      if (!step) {
        errors.push({ field: `conversations[${i}]`, message: "a '+'/'-' turn with no step turn before it" });
        break;
      }
      const label = t.value.trim();
      if (label !== '+' && label !== '-') {
        errors.push({ field: `conversations[${i}].value`, message: `expected '+' or '-', got ${describe(t.value)}` });
        break;
      }
      const text = step.text.trim();
      if (!text) {
        errors.push({ field: `conversations[${step.at}].value`, message: 'step text is empty' });
        break;
      }
      steps.push({ text, mc: label === '+' ? 1 : 0, k: null, human: null, vector: null });
    } else {
      errors.push({ field: `conversations[${i}].from`, message: `unknown speaker ${describe(t.from)}: expected 'human' or 'gpt'` });
      break;
    }
  }
  if (errors.length) return { ok: false, errors };
  if (pending.length) {
    return fail(`conversations[${pending[0].at}]`, "step turn is not followed by a '+' or '-' turn");
  }
  if (!steps.length) return fail('conversations', 'has no steps: only a question, no step turns with +/- labels');
  return { ok: true, value: { question, steps } };
}
