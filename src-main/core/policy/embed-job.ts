import { floatsToBlob } from '../store/eval-store';
import { UserError } from '../errors';
import type { Db } from '../store/db';
import { createJob, type PlannedRequest } from '../store/jobs-store';
import type { Pool } from '../types';
import { embeddingsCall, type EmbedRequest } from './embeddings';
import { batches, checkPositiveInt, imagesToSend, questionLoader } from './job-config';
import type { JobHandler, Pricing } from './job-runner';
import { renderTemplate } from './prompts';

/**
 * The embed job: a vector for every step of the chosen pools, from an embeddings endpoint,
 * into steps.vector, where the `features` PRM reads it. A step's input is the template
 * below filled with the question and the chain of thought up to and including the step (the
 * prefix), plus the question's images when the server takes them.
 */
export const DEFAULT_EMBED_TEMPLATE = 'Question: {question}\n\nSolution so far:\n{prefix}';

/** Steps per request for text-only servers: a batch every embedding server we know accepts. */
export const DEFAULT_EMBED_BATCH = 32;

export interface EmbedConfig {
  /** the API key is never stored */
  endpoint: { baseUrl: string; model: string };
  /** the features PRM needs vectors on the train, meta and test pools alike */
  pools: Pool[];
  /**
   * 'multimodal': the images and the text as chat-style messages (vLLM multimodal embedding
   * models), one step per request; 'text': the text alone, `perRequest` steps per request
   * (Ollama, text-embeddings-inference, text models)
   */
  input: 'multimodal' | 'text';
  /** {question} and {prefix} (the steps so far, separated by blank lines) */
  template: string;
  perRequest: number;
  /** vectors of this length (the `dimensions` parameter), null for the model's own */
  dimensions: number | null;
  /** 'all': every step (replacing vectors from elsewhere); 'missing': steps without a vector, matching the stored ones' length */
  steps: 'all' | 'missing';
  pricing?: Pricing;
  missingImages: 'fail' | 'omit';
  /** at most this many CoTs, in id order */
  limit: number | null;
}

export interface EmbedPlan {
  jobId: number;
  cots: number;
  steps: number;
  requests: number;
  /** characters of text to embed / 4: a rough prompt-token count for the cost estimate */
  estimatedTokens: number;
  estimatedCost: number | null;
  /** images sent (multimodal) or left out (text) */
  images: number;
  /** what a person should know before it runs, e.g. that a text-only server never sees the images */
  note: string | null;
}

interface Item {
  q: number;
  c: number;
  t: number;
}

const POOL_ORDER: readonly Pool[] = ['train', 'meta', 'test'];

export function checkEmbedConfig(c: EmbedConfig): void {
  if (!c.pools.length) throw new UserError('choose at least one pool to embed (--pool train|meta|test)');
  checkPositiveInt(c.perRequest, '--per-request');
  if (c.dimensions !== null) checkPositiveInt(c.dimensions, '--dimensions');
  if (c.limit !== null) checkPositiveInt(c.limit, '--limit');
  if (!c.template.includes('{prefix}')) {
    throw new UserError('the embed template has no {prefix} placeholder: add one where the steps so far go');
  }
}

/** The steps to embed, in CoT and step order, with their questions, text lengths and image counts. */
function stepsToEmbed(db: Db, c: EmbedConfig) {
  const pools = POOL_ORDER.filter((p) => c.pools.includes(p));
  const cotFilter = `d.pool IN (${pools.map(() => '?').join(', ')}) AND d.excluded = 0`;
  const limited = c.limit ? `AND c.id IN (SELECT c.id FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id WHERE ${cotFilter} ORDER BY c.id LIMIT ?)` : '';
  return db
    .prepare(
      `SELECT c.question_id AS q, s.cot_id AS c, s.idx AS t, length(s.text) AS chars, length(q.text) AS qChars,
              (SELECT count(*) FROM question_images qi WHERE qi.question_id = q.id) AS images
         FROM steps s JOIN cots c ON c.id = s.cot_id JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
        WHERE ${cotFilter} ${c.steps === 'missing' ? 'AND s.vector IS NULL' : ''} ${limited}
        ORDER BY s.cot_id, s.idx`,
    )
    .all(...pools, ...(c.limit ? [...pools, c.limit] : [])) as (Item & { chars: number; qChars: number; images: number })[];
}

/** The length of the vectors already stored in these pools (one of them), or null. */
function storedDim(db: Db, pools: Pool[]): number | null {
  const len = db
    .prepare(
      `SELECT length(s.vector) FROM steps s JOIN cots c ON c.id = s.cot_id JOIN questions q ON q.id = c.question_id
         JOIN domains d ON d.id = q.domain_id WHERE s.vector IS NOT NULL AND d.pool IN (${pools.map(() => '?').join(', ')}) LIMIT 1`,
    )
    .pluck()
    .get(...pools) as number | undefined;
  return len === undefined ? null : len / 4;
}

/** Plans an embed job (nothing is sent): one request per step, or per `perRequest` steps for text. */
export function planEmbedJob(db: Db, config: EmbedConfig): EmbedPlan {
  checkEmbedConfig(config);
  const rows = stepsToEmbed(db, config);
  if (!rows.length) {
    const what = config.steps === 'missing' ? 'steps without a vector' : 'steps';
    throw new UserError(`the ${config.pools.join(', ')} pool${config.pools.length > 1 ? 's have' : ' has'} no ${what} to embed: import data first, or embed --all steps`);
  }
  const perRequest = config.input === 'text' ? config.perRequest : 1;
  const requests: PlannedRequest[] = batches(rows.length, perRequest).map(([start, n]) => {
    const items = rows.slice(start, start + n).map(({ q, c, t }) => ({ q, c, t }));
    return { key: `c${items[0].c}/t${items[0].t}`, payload: { items } };
  });
  // The prefix grows step by step: its characters are the running sum within a CoT.
  let chars = 0;
  let prefix = 0;
  rows.forEach((r, i) => {
    prefix = i > 0 && rows[i - 1].c === r.c ? prefix + 2 + r.chars : r.chars;
    chars += config.template.length + r.qChars + prefix;
  });
  const images = rows.reduce((n, r) => n + r.images, 0);
  const estimatedTokens = Math.ceil(chars / 4);
  const price = config.pricing?.promptPer1k;
  const note =
    config.input === 'text' && images
      ? `text only: the ${images} images of these steps are not sent; the vectors see the question and the steps alone`
      : null;
  const expectedDim = config.dimensions ?? (config.steps === 'missing' ? storedDim(db, config.pools) : null);
  const summary = { cots: new Set(rows.map((r) => r.c)).size, steps: rows.length, estimatedTokens, images, note, expectedDim };
  const jobId = createJob(db, 'embed', config, requests, summary);
  const estimatedCost = price === undefined ? null : Math.round((estimatedTokens / 1000) * price * 1e6) / 1e6;
  return { jobId, cots: summary.cots, steps: rows.length, requests: requests.length, estimatedTokens, estimatedCost, images, note };
}

/** The embeddings request of one planned request (tests rebuild the inputs with it too). */
export function embedRequest(db: Db, config: EmbedConfig): (payload: unknown) => EmbedRequest | { error: string } {
  const load = questionLoader(db);
  const prefixOf = db.prepare(`SELECT text FROM steps WHERE cot_id = ? AND idx <= ? ORDER BY idx`).pluck();
  return (payload) => {
    const { items } = payload as { items: Item[] };
    const texts = items.map((it) => {
      const prefix = (prefixOf.all(it.c, it.t) as string[]).join('\n\n');
      if (!prefix) throw new Error(`CoT ${it.c} has no steps up to ${it.t} (deleted since the job was planned)`);
      return renderTemplate(config.template, { question: load(it.q).text, prefix });
    });
    if (config.input === 'text') return { texts, images: null, dimensions: config.dimensions };
    const images = imagesToSend(load(items[0].q), config.missingImages);
    if (!Array.isArray(images)) return images;
    return { texts, images, dimensions: config.dimensions };
  };
}

export function embedHandler(db: Db, jobId: number, config: EmbedConfig): JobHandler<EmbedRequest, Float32Array[]> {
  const build = embedRequest(db, config);
  const setVector = db.prepare(`UPDATE steps SET vector = ? WHERE cot_id = ? AND idx = ?`);
  const firstDone = db.prepare(`SELECT result FROM job_requests WHERE job_id = ? AND status = 'done' LIMIT 1`).pluck();
  const planned = db.prepare(`SELECT summary FROM jobs WHERE id = ?`).pluck();

  /** The length every vector of this job must have, and where that length comes from. */
  function expected(): { dim: number; from: string } | null {
    const summary = JSON.parse(planned.get(jobId) as string) as { expectedDim?: number | null };
    if (config.dimensions !== null) return { dim: config.dimensions, from: '--dimensions' };
    if (summary.expectedDim) return { dim: summary.expectedDim, from: 'the vectors already stored' };
    const first = firstDone.get(jobId) as string | undefined;
    return first ? { dim: (JSON.parse(first) as { dim: number }).dim, from: "this job's first reply" } : null;
  }

  return {
    build: (_key, payload) => build(payload),
    call: (req, model) => embeddingsCall(model, req),
    apply(_key, payload, vectors) {
      const { items } = payload as { items: Item[] };
      const dim = vectors[0].length;
      const want = expected();
      if (want && want.dim !== dim) {
        throw new Error(
          `the server returned vectors of length ${dim}, but this job's have length ${want.dim} (${want.from}): ` +
            'did another model answer? Point the job at the model it was planned with, or plan a new job (--new)',
        );
      }
      items.forEach((it, i) => {
        if (setVector.run(floatsToBlob(vectors[i]), it.c, it.t).changes !== 1) {
          throw new Error(`CoT ${it.c} step ${it.t} no longer exists (deleted since the job was planned)`);
        }
      });
      return { dim, n: items.length };
    },
  };
}
