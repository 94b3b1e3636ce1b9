import type { Db } from '../../src-main/core/store/db';
import type { Pool } from '../../src-main/core/types';
import { DEFAULT_TEMPLATES } from '../../src-main/core/policy/prompts';
import type { GenerateConfig, LabelConfig, PolicyJobConfig } from '../../src-main/core/policy/job-config';
import { handlerFor } from '../../src-main/core/policy/jobs';
import type { ChatRequest } from '../../src-main/core/policy/chat-client';
import { chatReply, promptKey, type FakeRequest, type FakeResponse } from './fake-server';

/** A 1×1 PNG: enough for a data: URL. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let imageSeq = 0;

function domain(db: Db, name: string, pool: Pool): number {
  db.prepare(`INSERT OR IGNORE INTO domains (name, pool) VALUES (?, ?)`).run(name, pool);
  return db.prepare(`SELECT id FROM domains WHERE name = ? AND pool = ?`).pluck().get(name, pool) as number;
}

/** Questions "What is a plus b? [qN]" with answer a+b and one stored image each (or a missing one). */
export function seedQuestions(db: Db, pool: Pool, domainName: string, count: number, opts: { missingImage?: number[] } = {}): number[] {
  const d = domain(db, domainName, pool);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const a = 3 + i;
    const b = 10 + 2 * i;
    const q = Number(
      db
        .prepare(`INSERT INTO questions (ext_id, domain_id, text, answer) VALUES (?, ?, ?, ?)`)
        .run(`${domainName}-${i}`, d, `What is ${a} plus ${b}? [q${i}]`, String(a + b)).lastInsertRowid,
    );
    if (opts.missingImage?.includes(i)) {
      db.prepare(`INSERT INTO question_images (question_id, ord, image_id, path) VALUES (?, 0, NULL, ?)`).run(q, `img/${i}.png`);
    } else {
      const sha = `sha-${++imageSeq}-${q}`;
      const img = db
        .prepare(`INSERT INTO images (sha256, mime, width, height, bytes, thumb) VALUES (?, 'image/png', 1, 1, ?, ?)`)
        .run(sha, PNG, PNG).lastInsertRowid;
      db.prepare(`INSERT INTO question_images (question_id, ord, image_id, path) VALUES (?, 0, ?, ?)`).run(q, img, `img/${i}.png`);
    }
    ids.push(q);
  }
  return ids;
}

/** A CoT with the given steps (labels optional), for label jobs and exports. */
export function seedCot(db: Db, questionId: number, ext: string, steps: string[], labels: (number | null)[] = [], extra: { answer?: string; correct?: boolean } = {}): number {
  const c = Number(
    db
      .prepare(`INSERT INTO cots (question_id, ext_id, answer, correct, n_steps) VALUES (?, ?, ?, ?, ?)`)
      .run(questionId, ext, extra.answer ?? null, extra.correct == null ? null : extra.correct ? 1 : 0, steps.length).lastInsertRowid,
  );
  steps.forEach((text, idx) =>
    db.prepare(`INSERT INTO steps (cot_id, idx, text, mc, k) VALUES (?, ?, ?, ?, ?)`).run(c, idx, text, labels[idx] ?? null, labels[idx] == null ? null : 4),
  );
  return c;
}

export function baseConfig(baseUrl: string, pool: Pool): PolicyJobConfig {
  return {
    endpoint: { baseUrl, model: 'fake-vl' },
    templates: DEFAULT_TEMPLATES,
    temperature: 0.7,
    maxTokens: 256,
    perRequest: 2,
    match: {},
    pricing: { promptPer1k: 0.5, completionPer1k: 1.5 },
    missingImages: 'fail',
    pool,
    domains: null,
    limit: null,
  };
}

export const generateConfig = (baseUrl: string, n: number, pool: Pool = 'test'): GenerateConfig => ({ ...baseConfig(baseUrl, pool), n });
export const labelConfig = (baseUrl: string, k: number, pool: Pool = 'train'): LabelConfig => ({ ...baseConfig(baseUrl, pool), k, relabel: false });

/** The question's numbers and truth, read back out of a prompt. */
function questionOf(prompt: string): { q: number; truth: number } {
  const m = /What is (\d+) plus (\d+)\? \[q(\d+)\]/.exec(prompt);
  if (!m) throw new Error(`fake policy: no question in prompt: ${prompt.slice(0, 200)}`);
  return { q: Number(m[3]), truth: Number(m[1]) + Number(m[2]) };
}

/** Whether sample i of a generation for question q is correct: 2 of every 3 are. */
export const generatedCorrect = (q: number, i: number) => (q + i) % 3 !== 0;

/** How many of n rollouts from a prefix reach the truth: none after a WRONG step, else all but (steps % 2). */
export function rolloutsCorrect(prefix: string, n: number): number {
  if (prefix.includes('WRONG')) return 0;
  const steps = prefix.split('\n\n').length;
  return Math.max(0, n - (steps % 2));
}

export function prefixOf(prompt: string): string | null {
  const at = prompt.indexOf('Solution so far:\n');
  return at < 0 ? null : prompt.slice(at + 'Solution so far:\n'.length);
}

/**
 * A deterministic policy model. Generation: sample i of a request (its position among the
 * request's n choices) is correct when generatedCorrect(q, i). Rollouts: see rolloutsCorrect.
 */
export function fakePolicy(req: FakeRequest): FakeResponse {
  const n = req.body.n ?? 1;
  const { q, truth } = questionOf(req.prompt);
  const prefix = prefixOf(req.prompt);
  if (prefix !== null) {
    const good = rolloutsCorrect(prefix, n);
    const texts = Array.from({ length: n }, (_, i) => `Step 5: so it is done.\nFinal answer: ${i < good ? truth : truth + 1}`);
    return { body: chatReply(texts) };
  }
  const texts = Array.from({ length: n }, (_, i) => {
    const x = generatedCorrect(q, i) ? truth : truth + 1;
    return [
      `Step 1: The question asks for the sum in [q${q}].`,
      'Step 2: The image shows two numbers.',
      'Step 3: Addition combines quantities.',
      `Step 4: Adding them gives ${x}.`,
      `Step 5: So the sum is ${x}.`,
      `Final answer: ${x}`,
    ].join('\n');
  });
  return { body: chatReply(texts) };
}

/** Every planned request of a job with the prompt key the fake server files it under. */
export function requestPrompts(d: Db, jobId: number): { key: string; prompt: string }[] {
  const { handler } = handlerFor(d, jobId);
  const rows = d.prepare(`SELECT key, payload FROM job_requests WHERE job_id = ?`).all(jobId) as { key: string; payload: string }[];
  return rows.map((r) => {
    const req = handler.build(r.key, JSON.parse(r.payload)) as ChatRequest | { error: string };
    if ('error' in req) throw new Error(req.error);
    const content = req.messages[0].content;
    const text = typeof content === 'string' ? content : content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('');
    return { key: r.key, prompt: promptKey(text) };
  });
}

