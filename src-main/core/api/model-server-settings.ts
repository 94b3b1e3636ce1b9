/**
 * The model server's settings as the app stores them (settings table): base URL, model,
 * prices and concurrency. Never the API key. The stored base URL comes from the database, so
 * a new process does not trust it by itself (policy/server-trust.ts).
 */
import { z } from 'zod';
import type { Db } from '../store/db';
import { parseArgs } from './args';
import type { ModelServerSettings } from './types';

export const DEFAULT_CONCURRENCY = 4;

// Keys in the app's settings table (shared with the annotator's name).
const KEYS = {
  baseUrl: 'modelServer.baseUrl',
  model: 'modelServer.model',
  pricePromptPer1k: 'modelServer.pricePromptPer1k',
  priceCompletionPer1k: 'modelServer.priceCompletionPer1k',
  concurrency: 'modelServer.concurrency',
} as const;

export const price = z.number().min(0).max(1e6).nullable();
export const concurrency = z.number().int().min(1).max(256);
export const url = z.string().trim().max(2000);
export const missingImages = z.enum(['fail', 'omit']);

const updateSchema = z
  .object({
    baseUrl: url.nullable().optional(),
    model: z.string().trim().max(500).nullable().optional(),
    pricePromptPer1k: price.optional(),
    priceCompletionPer1k: price.optional(),
    concurrency: concurrency.optional(),
    apiKey: z.string().max(10_000).nullable().optional(),
  })
  .strict();

export type ModelServerUpdateArgs = z.infer<typeof updateSchema>;

export function parseModelServerUpdate(args: unknown): ModelServerUpdateArgs {
  return parseArgs('setModelServer', updateSchema, args);
}

export type StoredModelServer = Omit<ModelServerSettings, 'apiKeySource'>;

export interface ModelServerStore {
  read(): StoredModelServer;
  /** writes the fields given (null clears one) in one transaction; the key is not among them */
  write(a: Omit<ModelServerUpdateArgs, 'apiKey'>): void;
}

export function modelServerStore(db: Db): ModelServerStore {
  const readSetting = (key: string): string | null =>
    (db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  const writeSetting = (key: string, value: string | null): void => {
    if (value === null || value === '') db.prepare('DELETE FROM settings WHERE key = ?').run(key);
    else db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, value);
  };
  const numberSetting = (key: string): number | null => {
    const v = readSetting(key);
    return v === null || !Number.isFinite(Number(v)) ? null : Number(v);
  };
  const text = (n: number | null | undefined): string | null => (n == null ? null : String(n));

  return {
    read: () => ({
      baseUrl: readSetting(KEYS.baseUrl),
      model: readSetting(KEYS.model),
      pricePromptPer1k: numberSetting(KEYS.pricePromptPer1k),
      priceCompletionPer1k: numberSetting(KEYS.priceCompletionPer1k),
      concurrency: numberSetting(KEYS.concurrency) ?? DEFAULT_CONCURRENCY,
    }),
    write: (a) =>
      db.transaction(() => {
        if (a.baseUrl !== undefined) writeSetting(KEYS.baseUrl, a.baseUrl ? a.baseUrl.replace(/\/+$/, '') : null);
        if (a.model !== undefined) writeSetting(KEYS.model, a.model);
        if (a.pricePromptPer1k !== undefined) writeSetting(KEYS.pricePromptPer1k, text(a.pricePromptPer1k));
        if (a.priceCompletionPer1k !== undefined) writeSetting(KEYS.priceCompletionPer1k, text(a.priceCompletionPer1k));
        if (a.concurrency !== undefined) writeSetting(KEYS.concurrency, String(a.concurrency));
      })(),
  };
}
