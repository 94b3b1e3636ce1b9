import { UserError } from '../errors';
import type { Db } from '../store/db';
import type { Pool } from '../types';
import type { MatchOptions } from './answer-match';
import type { Pricing } from './job-runner';
import { questionImages, type QuestionImages } from './messages';
import type { PromptTemplates } from './prompts';

/** Settings every model-server job stores with itself, so a resume asks exactly the same. */
export interface PolicyJobConfig {
  /** the API key is never stored: it comes from settings or the environment at each run */
  endpoint: { baseUrl: string; model: string };
  templates: PromptTemplates;
  temperature: number;
  maxTokens: number | null;
  /** completions asked per HTTP request (the `n` parameter); servers that ignore `n` need 1 */
  perRequest: number;
  match: MatchOptions;
  pricing?: Pricing;
  /** a question whose image was missing at import: fail its requests, or send the text alone */
  missingImages: 'fail' | 'omit';
  pool: Pool;
  /** only these domains (all non-excluded ones of the pool when null) */
  domains: string[] | null;
  /** at most this many questions (generate) or CoTs (label), in id order */
  limit: number | null;
}

export interface GenerateConfig extends PolicyJobConfig {
  /** candidate CoTs per question */
  n: number;
}

export interface LabelConfig extends PolicyJobConfig {
  /** rollouts per step prefix */
  k: number;
  /** label steps that already have a Monte Carlo label too */
  relabel: boolean;
}

export function checkPositiveInt(value: number, flag: string): void {
  if (!Number.isInteger(value) || value < 1) throw new UserError(`${flag} must be a positive integer, got ${value}`);
}

export function checkCommon(c: PolicyJobConfig): void {
  checkPositiveInt(c.perRequest, '--per-request');
  if (!(c.temperature >= 0 && c.temperature <= 2)) throw new UserError(`--temperature must be in [0, 2], got ${c.temperature}`);
  if (c.maxTokens !== null) checkPositiveInt(c.maxTokens, '--max-tokens');
  if (c.limit !== null) checkPositiveInt(c.limit, '--limit');
  for (const [k, v] of Object.entries(c.pricing ?? {})) {
    if (v !== undefined && !(v >= 0)) throw new UserError(`price ${k} must be a non-negative number, got ${v}`);
  }
}

/** SQL condition and parameters choosing the job's domains (`d` is the domains alias). */
export function domainFilter(db: Db, c: Pick<PolicyJobConfig, 'pool' | 'domains'>): { sql: string; params: unknown[] } {
  if (!c.domains) return { sql: `d.pool = ? AND d.excluded = 0`, params: [c.pool] };
  const known = new Set(db.prepare(`SELECT name FROM domains WHERE pool = ?`).pluck().all(c.pool) as string[]);
  const unknown = c.domains.filter((d) => !known.has(d));
  if (unknown.length) {
    throw new UserError(
      `no ${c.pool}-pool domain named ${unknown.map((d) => `"${d}"`).join(', ')}; known: ${[...known].sort().join(', ') || '(none)'}`,
    );
  }
  return { sql: `d.pool = ? AND d.name IN (${c.domains.map(() => '?').join(', ')})`, params: [c.pool, ...c.domains] };
}

/** The batches of one question's or one step's samples: [start, n] pairs covering `total`. */
export function batches(total: number, perRequest: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < total; s += perRequest) out.push([s, Math.min(perRequest, total - s)]);
  return out;
}

export interface QuestionInfo {
  id: number;
  text: string;
  answer: string | null;
  images: QuestionImages;
}

/** Question text, answer and images, with a small cache: a label job asks about one question many times in a row. */
export function questionLoader(db: Db): (id: number) => QuestionInfo {
  const cache = new Map<number, QuestionInfo>();
  const stmt = db.prepare(`SELECT id, text, answer FROM questions WHERE id = ?`);
  return (id) => {
    const hit = cache.get(id);
    if (hit) return hit;
    const q = stmt.get(id) as { id: number; text: string; answer: string | null } | undefined;
    if (!q) throw new Error(`question ${id} no longer exists (deleted since the job was planned)`);
    const info = { ...q, images: questionImages(db, id) };
    if (cache.size >= 16) cache.delete(cache.keys().next().value as number);
    cache.set(id, info);
    return info;
  };
}

/** The image URLs to send, or the error to record when an image is missing and that is not allowed. */
export function imagesToSend(q: QuestionInfo, policy: PolicyJobConfig['missingImages']): string[] | { error: string } {
  if (q.images.missing.length && policy === 'fail') {
    return {
      error: `question ${q.id}: image ${q.images.missing.join(', ')} was missing at import; re-import with --images DIR, or run with --missing-images omit to send the text alone`,
    };
  }
  return q.images.urls;
}
