/**
 * Fake embedding and PRM endpoints for the local fake server: deterministic replies in the
 * shapes vLLM, Ollama and TEI send.
 *
 * The test device for "informative vectors": a step's vector is derived from a label the test
 * knows for that step's exact input (the sample's true step correctness on the test pool, its
 * Monte Carlo m on the train pool, CoT correctness on the meta pool) plus seeded noise. The
 * first SIGNAL_DIMS entries are (2·label − 1)·STRENGTH + N(0, 1); the rest, and every entry of
 * an input with no known label, are N(0, 1). A features PRM can only do well on the test pool
 * if the vectors reach it step by step as the job stored them.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../src-main/core/store/db';
import { embedRequest, DEFAULT_EMBED_TEMPLATE, type EmbedConfig } from '../../src-main/core/policy/embed-job';
import type { EmbedRequest } from '../../src-main/core/policy/embeddings';
import { contentOf, type FakeMessage, type FakeRequest, type FakeResponse } from './fake-server';

export const SIGNAL_DIMS = 4;
export const STRENGTH = 1.5;

/** One key per embedding input: its text and its images. */
export function inputKey(text: string, images: string[]): string {
  return createHash('sha1').update(text).update('\0').update(images.join('\0')).digest('hex');
}

/** Seeded standard normal numbers (a SHA-256 stream, Box-Muller). */
function normals(seed: string, n: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < n; block++) {
    const h = createHash('sha256').update(`${seed}/${block}`).digest();
    for (let i = 0; i + 8 <= h.length && out.length < n; i += 8) {
      const u1 = (h.readUInt32LE(i) + 1) / 2 ** 32;
      const u2 = h.readUInt32LE(i + 4) / 2 ** 32;
      out.push(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
  }
  return out;
}

export function informativeVector(label: number | null, seed: string, dim: number): number[] {
  const noise = normals(seed, dim);
  return noise.map((x, i) => (label !== null && i < SIGNAL_DIMS ? (2 * label - 1) * STRENGTH + x : x));
}

export function embeddingReply(vectors: (number[] | string)[], promptTokens = 10 * vectors.length) {
  return {
    object: 'list',
    model: 'fake-embed',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

/** The inputs of an embeddings request: text inputs, or the one chat-style message with its images. */
export function embeddingInputs(r: FakeRequest): { text: string; images: string[] }[] {
  if (r.body.input !== undefined) return (Array.isArray(r.body.input) ? r.body.input : [r.body.input]).map((text) => ({ text, images: [] }));
  return [contentOf(r.body.messages[0])];
}

export interface FakeEmbedder {
  respond(r: FakeRequest): FakeResponse;
  /** inputs whose label was unknown (should be none when the lookup covers the job) */
  misses: number;
}

/** Answers /v1/embeddings with informative vectors of `dim` entries for inputs whose label `labels` knows. */
export function fakeEmbedder(labels: Map<string, number | null>, dim = 16): FakeEmbedder {
  const me: FakeEmbedder = {
    misses: 0,
    respond(r) {
      if (!r.path.endsWith('/embeddings')) return { status: 404, body: { error: { message: `no route ${r.path}` } } };
      const vectors = embeddingInputs(r).map(({ text, images }) => {
        const key = inputKey(text, images);
        if (!labels.has(key)) me.misses++;
        return informativeVector(labels.get(key) ?? null, key, r.body.dimensions ?? dim);
      });
      return { body: embeddingReply(vectors) };
    },
  };
  return me;
}

/** The label each step's embedding input stands for, keyed by that input as the embed job builds it. */
export function stepInputLabels(db: Db, config: Pick<EmbedConfig, 'input'> & Partial<EmbedConfig>): Map<string, number | null> {
  const full: EmbedConfig = {
    endpoint: { baseUrl: 'http://unused/v1', model: 'unused' },
    pools: ['train', 'meta', 'test'],
    template: DEFAULT_EMBED_TEMPLATE,
    perRequest: 1,
    dimensions: null,
    steps: 'all',
    missingImages: 'omit',
    limit: null,
    ...config,
  };
  const build = embedRequest(db, full);
  const rows = db
    .prepare(
      `SELECT c.question_id AS q, s.cot_id AS c, s.idx AS t, coalesce(s.human, s.mc, c.correct) AS label
         FROM steps s JOIN cots c ON c.id = s.cot_id`,
    )
    .all() as { q: number; c: number; t: number; label: number | null }[];
  const out = new Map<string, number | null>();
  for (const r of rows) {
    const req = build({ items: [{ q: r.q, c: r.c, t: r.t }] }) as EmbedRequest;
    out.set(inputKey(req.texts[0], req.images ?? []), r.label);
  }
  return out;
}

/** A chat reply of one token with the top log-probabilities of "+" and "-" (and a stray token). */
export function logprobReply(pGood: number, extra: { token: string; logprob: number }[] = [{ token: 'The', logprob: -9 }]) {
  const top = [
    { token: '+', logprob: Math.log(pGood) },
    { token: '-', logprob: Math.log(1 - pGood) },
    ...extra,
  ].sort((a, b) => b.logprob - a.logprob);
  return {
    id: 'chatcmpl-prm',
    object: 'chat.completion',
    model: 'fake-prm',
    choices: [{ index: 0, message: { role: 'assistant', content: top[0].token }, finish_reason: 'length', logprobs: { content: [{ token: top[0].token, logprob: top[0].logprob, top_logprobs: top }] } }],
    usage: { prompt_tokens: 50, completion_tokens: 1 },
  };
}

/** The step a generative PRM request asks about (the last user turn) and the steps before it. */
export function judgedStep(messages: FakeMessage[]): { step: string; turn: number } {
  const users = messages.filter((m) => m.role === 'user');
  const text = contentOf(users[users.length - 1]).text;
  const first = text.indexOf('### Solution Process:\n');
  return { step: first >= 0 ? text.slice(first + '### Solution Process:\n'.length) : text, turn: users.length - 1 };
}

/** A pooling reply with [P(bad), P(good)] per step, as vLLM's STEP pooler sends it. */
export function poolingReply(pGood: number[]) {
  return { id: 'pool-1', object: 'list', data: [{ index: 0, object: 'pooling', data: pGood.map((p) => [1 - p, p]) }], usage: { prompt_tokens: 80, total_tokens: 80 } };
}
