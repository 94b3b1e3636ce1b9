/**
 * Model-server jobs in the API: the server's settings, planning generate and label jobs,
 * running one at a time in this process (I/O-bound, so not in the training worker), progress
 * events, cancel and resume.
 */
import { z } from 'zod';
import { errorMessage, UserError } from '../errors';
import type { ChatClientOptions } from '../policy/chat-client';
import { resolveEndpoint } from '../policy/endpoint';
import type { GenerateConfig, LabelConfig, PolicyJobConfig } from '../policy/job-config';
import { cancelJob, jobProgress, planGenerateJob, planLabelJob, runPolicyJob, type JobProgress } from '../policy/jobs';
import { DEFAULT_MATCH } from '../policy/answer-match';
import { DEFAULT_TEMPLATES } from '../policy/prompts';
import type { Db } from '../store/db';
import { getJob, listJobs as listJobRows, type JobRow } from '../store/jobs-store';
import { id, parseArgs, pool } from './args';
import type { EventHub } from './events';
import type { ModelServerSettings, PlanJobRequest, PlannedJob, PolicyJobInfo, Pool, StudioApi } from './types';

export type JobsApi = Pick<
  StudioApi,
  'getModelServer' | 'setModelServer' | 'listJobs' | 'planGenerate' | 'planLabel' | 'startJob' | 'resumeJob' | 'cancelJob'
>;

export interface JobsApiHandle {
  api: JobsApi;
  /** stops the running job (its in-flight requests stay pending) and waits for it */
  close(): Promise<void>;
}

/** At most one job-progress event per this many ms per job (≤ 5/s); the final one always goes. */
export const PROGRESS_EVERY_MS = 200;
const DEFAULT_CONCURRENCY = 4;

// Keys in the app's settings table (shared with the annotator's name).
const KEYS = {
  baseUrl: 'modelServer.baseUrl',
  model: 'modelServer.model',
  pricePromptPer1k: 'modelServer.pricePromptPer1k',
  priceCompletionPer1k: 'modelServer.priceCompletionPer1k',
  concurrency: 'modelServer.concurrency',
} as const;

const price = z.number().min(0).max(1e6).nullable();
const concurrency = z.number().int().min(1).max(256);
const url = z.string().trim().max(2000);
const planFields = {
  pool: pool.optional(),
  baseUrl: url.optional(),
  model: z.string().trim().max(500).optional(),
  pricePromptPer1k: price.optional(),
  priceCompletionPer1k: price.optional(),
  concurrency: concurrency.optional(),
  perRequest: z.number().int().min(1).max(1000).optional(),
  limit: z.number().int().min(1).optional(),
};
const samples = z.number().int().min(1).max(1000);

interface Active {
  jobId: number;
  controller: AbortController;
  done: Promise<void>;
  last: JobProgress | null;
}

export interface JobsApiOptions {
  /** where API key, base URL and model fall back to (default: this process's environment) */
  env?: NodeJS.ProcessEnv;
  /** retry and timeout settings of the chat client (tests shorten the backoff) */
  client?: Omit<ChatClientOptions, 'concurrency'>;
}

export function createJobsApi(db: Db, events: EventHub, opts: JobsApiOptions = {}): JobsApiHandle {
  const env = opts.env ?? process.env;
  /** given in the app; lives only as long as this process */
  let sessionKey: string | null = null;
  let active: Active | null = null;
  /** concurrency chosen when a job was planned here (not part of the stored job config) */
  const plannedConcurrency = new Map<number, number>();

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

  function settings(): ModelServerSettings {
    const envKey = env.DREAMPRM_API_KEY || env.OPENAI_API_KEY;
    return {
      baseUrl: readSetting(KEYS.baseUrl),
      model: readSetting(KEYS.model),
      pricePromptPer1k: numberSetting(KEYS.pricePromptPer1k),
      priceCompletionPer1k: numberSetting(KEYS.priceCompletionPer1k),
      concurrency: numberSetting(KEYS.concurrency) ?? DEFAULT_CONCURRENCY,
      apiKeySource: sessionKey ? 'session' : envKey ? 'environment' : null,
    };
  }

  function info(row: JobRow, live: JobProgress | null = null): PolicyJobInfo {
    const p = live ?? jobProgress(db, row.id);
    const config = row.config as PolicyJobConfig & { n?: number; k?: number };
    const here = active?.jobId === row.id;
    const rate = here && live && live.sessionSeconds > 0 ? live.sessionRequests / live.sessionSeconds : null;
    return {
      jobId: row.id,
      kind: row.kind,
      status: p.status,
      pool: config.pool,
      samples: (row.kind === 'generate' ? config.n : config.k) ?? 0,
      baseUrl: config.endpoint.baseUrl,
      model: config.endpoint.model,
      counters: { ...p.counters },
      cost: p.cost,
      requestsPerSecond: rate === null ? null : Math.round(rate * 100) / 100,
      etaSeconds: rate ? Math.round(p.counters.pending / rate) : null,
      runningHere: here,
      error: p.error,
      createdAt: row.createdAt,
      finishedAt: row.finishedAt,
    };
  }

  function infoById(jobId: number): PolicyJobInfo {
    const row = getJob(db, jobId);
    if (!row) throw new UserError(`no model-server job ${jobId}`);
    return info(row, active?.jobId === jobId ? active.last : null);
  }

  /** The job settings both kinds share: the request's values, else the stored settings. */
  function commonConfig(req: z.infer<z.ZodObject<typeof planFields>>, fallbackPool: Pool, n: number): PolicyJobConfig {
    const s = settings();
    const endpoint = resolveEndpoint({ baseUrl: req.baseUrl || s.baseUrl || undefined, model: req.model || s.model || undefined }, env);
    const promptPer1k = req.pricePromptPer1k !== undefined ? req.pricePromptPer1k : s.pricePromptPer1k;
    const completionPer1k = req.priceCompletionPer1k !== undefined ? req.priceCompletionPer1k : s.priceCompletionPer1k;
    const pricing =
      promptPer1k != null || completionPer1k != null
        ? { ...(promptPer1k != null ? { promptPer1k } : {}), ...(completionPer1k != null ? { completionPer1k } : {}) }
        : undefined;
    return {
      endpoint: { baseUrl: endpoint.baseUrl, model: endpoint.model },
      templates: DEFAULT_TEMPLATES,
      temperature: 0.7,
      maxTokens: 1024,
      perRequest: req.perRequest ?? n,
      match: { ...DEFAULT_MATCH },
      ...(pricing ? { pricing } : {}),
      missingImages: 'fail',
      pool: req.pool ?? fallbackPool,
      domains: null,
      limit: req.limit ?? null,
    };
  }

  function planned(jobId: number, requests: number, items: number, withoutAnswer: number, conc: number | undefined): PlannedJob {
    if (conc !== undefined) plannedConcurrency.set(jobId, conc);
    return { job: infoById(jobId), requests, items, withoutAnswer };
  }

  function launch(jobId: number, method: 'startJob' | 'resumeJob'): PolicyJobInfo {
    const row = getJob(db, jobId);
    if (!row) throw new UserError(`no model-server job ${jobId}`);
    if (active) {
      throw new UserError(`job ${active.jobId} is running: one model-server job at a time here; cancel it or wait for it to finish`);
    }
    if (row.status === 'completed') throw new UserError(`job ${jobId} has already completed: plan a new job instead`);
    if (method === 'startJob' && row.status !== 'pending') {
      throw new UserError(`job ${jobId} has already run (${row.status}): resume it instead`);
    }
    const config = row.config as PolicyJobConfig;
    // Checked now so that a missing key or URL is an error of this call, not a failed job.
    resolveEndpoint({ baseUrl: config.endpoint.baseUrl, model: config.endpoint.model, apiKey: sessionKey ?? undefined }, env);

    const controller = new AbortController();
    let lastEmit = 0;
    let trailing: ReturnType<typeof setTimeout> | null = null;
    const emitNow = () => {
      trailing = null;
      lastEmit = Date.now();
      const r = getJob(db, jobId);
      if (r && current.last) events.emit({ type: 'job-progress', ...info(r, current.last) });
    };
    const current: Active = { jobId, controller, done: Promise.resolve(), last: null };
    active = current;
    current.done = runPolicyJob(db, jobId, {
      apiKey: sessionKey ?? undefined,
      client: { ...opts.client, concurrency: plannedConcurrency.get(jobId) ?? settings().concurrency },
      signal: controller.signal,
      onProgress: (p) => {
        current.last = p;
        if (trailing) return;
        const wait = PROGRESS_EVERY_MS - (Date.now() - lastEmit);
        if (wait <= 0) emitNow();
        else trailing = setTimeout(emitNow, wait);
      },
    }).then(
      () => undefined,
      (e: unknown) => {
        // runJob records failures inside the run; a refusal before it (e.g. another process owns the job) is recorded nowhere.
        console.error(`dreamprm: model-server job ${jobId} stopped: ${errorMessage(e)}`);
        current.last = { ...(current.last ?? jobProgress(db, jobId)), status: 'failed', error: errorMessage(e) };
      },
    ).finally(() => {
      if (trailing) clearTimeout(trailing);
      active = null;
      plannedConcurrency.delete(jobId);
      // The final state, never throttled: read from the store so the status is the stored one.
      const r = getJob(db, jobId);
      if (r) {
        const stored = info(r);
        const failedEarly = current.last?.status === 'failed' && stored.status !== 'failed' && stored.status !== 'completed';
        events.emit({ type: 'job-progress', ...stored, ...(failedEarly ? { status: 'failed', error: current.last?.error ?? null } : {}) });
      }
    });
    return { ...infoById(jobId), status: 'running', runningHere: true };
  }

  const api: JobsApi = {
    async getModelServer() {
      return settings();
    },

    async setModelServer(args) {
      const a = parseArgs(
        'setModelServer',
        z
          .object({
            baseUrl: url.nullable().optional(),
            model: z.string().trim().max(500).nullable().optional(),
            pricePromptPer1k: price.optional(),
            priceCompletionPer1k: price.optional(),
            concurrency: concurrency.optional(),
            apiKey: z.string().max(10_000).nullable().optional(),
          })
          .strict(),
        args,
      );
      if (a.baseUrl) resolveEndpoint({ baseUrl: a.baseUrl, model: 'any' }, {}); // the same URL checks as a job's
      db.transaction(() => {
        if (a.baseUrl !== undefined) writeSetting(KEYS.baseUrl, a.baseUrl ? a.baseUrl.replace(/\/+$/, '') : null);
        if (a.model !== undefined) writeSetting(KEYS.model, a.model);
        if (a.pricePromptPer1k !== undefined) writeSetting(KEYS.pricePromptPer1k, a.pricePromptPer1k === null ? null : String(a.pricePromptPer1k));
        if (a.priceCompletionPer1k !== undefined) {
          writeSetting(KEYS.priceCompletionPer1k, a.priceCompletionPer1k === null ? null : String(a.priceCompletionPer1k));
        }
        if (a.concurrency !== undefined) writeSetting(KEYS.concurrency, String(a.concurrency));
      })();
      if (a.apiKey !== undefined) sessionKey = a.apiKey?.trim() || null;
      return settings();
    },

    async listJobs() {
      return listJobRows(db).map((r) => info(r, active?.jobId === r.id ? active.last : null));
    },

    async planGenerate(args) {
      const a = parseArgs('planGenerate', z.object({ ...planFields, n: samples }).strict(), args);
      const config: GenerateConfig = { ...commonConfig(a, 'test', a.n), n: a.n };
      const p = planGenerateJob(db, config);
      return planned(p.jobId, p.requests, p.questions, p.withoutAnswer, a.concurrency);
    },

    async planLabel(args) {
      const a = parseArgs('planLabel', z.object({ ...planFields, k: samples }).strict(), args);
      const config: LabelConfig = { ...commonConfig(a, 'train', a.k), k: a.k, relabel: false };
      const p = planLabelJob(db, config);
      return planned(p.jobId, p.requests, p.cots, p.withoutAnswer, a.concurrency);
    },

    async startJob(args) {
      const a = parseArgs('startJob', z.object({ jobId: id }).strict(), args);
      return launch(a.jobId, 'startJob');
    },

    async resumeJob(args) {
      const a = parseArgs('resumeJob', z.object({ jobId: id }).strict(), args);
      return launch(a.jobId, 'resumeJob');
    },

    async cancelJob(args) {
      const a = parseArgs('cancelJob', z.object({ jobId: id }).strict(), args);
      // The stored flag also stops a job another process (the CLI) runs.
      cancelJob(db, a.jobId);
      if (active?.jobId === a.jobId) {
        const run = active;
        run.controller.abort(new Error('cancelled in the app'));
        await run.done;
      }
      return infoById(a.jobId);
    },
  };

  return {
    api,
    async close() {
      if (active) {
        const run = active;
        run.controller.abort(new Error('the studio is closing'));
        await run.done;
      }
    },
  };
}
