/**
 * Model-server jobs in the API: the server's settings, planning generate, label, embed and score jobs,
 * running one at a time in this process (I/O-bound, so not in the training worker), progress
 * events, cancel and resume.
 */
import { z } from 'zod';
import { errorMessage, UserError } from '../errors';
import type { ChatClientOptions } from '../policy/chat-client';
import { resolveEndpoint } from '../policy/endpoint';
import { sameServer, TrustedServers } from '../policy/server-trust';
import { describeJob } from '../policy/job-info';
import type { Pricing } from '../policy/job-runner';
import { cancelJob, jobProgress, runPolicyJob, serverOfJob, type JobProgress, type ServerJobConfig } from '../policy/jobs';
import type { Db } from '../store/db';
import { getJob, listJobs as listJobRows, type JobRow } from '../store/jobs-store';
import { id, parseArgs } from './args';
import { createChatPlanners } from './chat-jobs-api';
import type { EventHub } from './events';
import { createExternalPlanners } from './external-jobs-api';
import { concurrency, modelServerStore, parseModelServerUpdate, url } from './model-server-settings';
import type { LaunchJobRequest, ModelServerSettings, PlannedJob, PolicyJobInfo, StudioApi } from './types';

export type JobsApi = Pick<
  StudioApi,
  'getModelServer' | 'setModelServer' | 'listJobs' | 'planGenerate' | 'planLabel' | 'planEmbed' | 'planScore' | 'startJob' | 'resumeJob' | 'cancelJob'
>;

export interface JobsApiHandle {
  api: JobsApi;
  /** stops the running job (its in-flight requests stay pending) and waits for it */
  close(): Promise<void>;
}

/** At most one job-progress event per this many ms per job (≤ 5/s); the final one always goes. */
export const PROGRESS_EVERY_MS = 200;
/** Said when a job's stored server is refused: the page asks, then calls again with trustBaseUrl. */
const APP_CONSENT_HINT = 'Confirm it on the Model server page to send its requests there (startJob/resumeJob with trustBaseUrl).';

const launchArgs = z
  .object({
    jobId: id,
    trustBaseUrl: url.min(1).optional(),
    baseUrl: url.min(1).optional(),
    concurrency: concurrency.optional(),
    retries: z.number().int().min(0).max(100).optional(),
    timeoutSeconds: z.number().positive().max(86_400).optional(),
  })
  .strict();

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
  /** servers named in this process: the environment's, set or planned with here, confirmed here */
  const trusted = new TrustedServers(env);
  const store = modelServerStore(db);
  let active: Active | null = null;
  /** concurrency chosen when a job was planned here (not part of the stored job config) */
  const plannedConcurrency = new Map<number, number>();

  function settings(): ModelServerSettings {
    const envKey = env.DREAMPRM_API_KEY || env.OPENAI_API_KEY;
    return { ...store.read(), apiKeySource: sessionKey ? 'session' : envKey ? 'environment' : null };
  }

  /**
   * A URL given through the API counts as named in this process, unless it is the stored one:
   * the page sends its whole form back on every save, including a URL it read from the
   * database, and that must not launder a planted URL into a trusted one.
   */
  function named(baseUrl: string | null | undefined): void {
    const stored = store.read().baseUrl;
    if (baseUrl && !(stored && sameServer(baseUrl, stored))) trusted.add(baseUrl);
  }

  function info(row: JobRow, live: JobProgress | null = null): PolicyJobInfo {
    const p = live ?? jobProgress(db, row.id);
    const config = row.config as ServerJobConfig;
    const here = active?.jobId === row.id;
    const rate = here && live && live.sessionSeconds > 0 ? live.sessionRequests / live.sessionSeconds : null;
    return {
      jobId: row.id,
      kind: row.kind,
      status: p.status,
      ...describeJob(row),
      baseUrl: config.endpoint.baseUrl,
      model: config.endpoint.model,
      counters: { ...p.counters },
      cost: p.cost,
      requestsPerSecond: rate === null ? null : Math.round(rate * 100) / 100,
      etaSeconds: rate ? Math.round(p.counters.pending / rate) : null,
      runningHere: here,
      sessionRequests: here && live ? live.sessionRequests : null,
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

  /** The request's server, else the stored settings'; a URL given here counts as named in this process. */
  function endpointOf(baseUrl: string | undefined, model: string | undefined): { baseUrl: string; model: string } {
    const s = settings();
    const endpoint = resolveEndpoint({ baseUrl: baseUrl || s.baseUrl || undefined, model: model || s.model || undefined }, env);
    named(baseUrl);
    return { baseUrl: endpoint.baseUrl, model: endpoint.model };
  }

  /** The request's prices, else the stored ones; undefined when there are none. */
  function pricingOf(req: { pricePromptPer1k?: number | null; priceCompletionPer1k?: number | null }): Pricing | undefined {
    const s = settings();
    const promptPer1k = req.pricePromptPer1k !== undefined ? req.pricePromptPer1k : s.pricePromptPer1k;
    const completionPer1k = req.priceCompletionPer1k !== undefined ? req.priceCompletionPer1k : s.priceCompletionPer1k;
    return promptPer1k != null || completionPer1k != null
      ? { ...(promptPer1k != null ? { promptPer1k } : {}), ...(completionPer1k != null ? { completionPer1k } : {}) }
      : undefined;
  }

  function planned(jobId: number, requests: number, items: number, withoutAnswer: number, conc: number | undefined, extra: Partial<PlannedJob> = {}): PlannedJob {
    if (conc !== undefined) plannedConcurrency.set(jobId, conc);
    return { job: infoById(jobId), requests, items, withoutAnswer, ...extra };
  }

  /** The chat client's settings for a run: the request's, else as planned here, else the settings'. */
  function clientOf(a: Omit<LaunchJobRequest, 'trustBaseUrl' | 'baseUrl'>): ChatClientOptions {
    return {
      ...opts.client,
      concurrency: a.concurrency ?? plannedConcurrency.get(a.jobId) ?? settings().concurrency,
      ...(a.retries !== undefined ? { maxAttempts: a.retries + 1 } : {}),
      ...(a.timeoutSeconds !== undefined ? { timeoutMs: a.timeoutSeconds * 1000 } : {}),
      onRetry: (r) => events.emit({ type: 'job-retry', jobId: a.jobId, attempt: r.attempt, delayMs: r.delayMs, error: r.error }),
    };
  }

  function launch(method: 'startJob' | 'resumeJob', a: LaunchJobRequest): PolicyJobInfo {
    const { jobId, trustBaseUrl } = a;
    const row = getJob(db, jobId);
    if (!row) throw new UserError(`no model-server job ${jobId}`);
    if (active) {
      throw new UserError(`job ${active.jobId} is running: one model-server job at a time here; cancel it or wait for it to finish`);
    }
    if (row.status === 'completed') throw new UserError(`job ${jobId} has already completed: plan a new job instead`);
    if (method === 'startJob' && row.status !== 'pending') {
      throw new UserError(`job ${jobId} has already run (${row.status}): resume it instead`);
    }
    const config = row.config as ServerJobConfig;
    // Checked now so that an untrusted server, a missing key or a bad URL is an error of this call, not a failed job.
    // A server named for this run (the CLI's) replaces the stored one, as `current` in chooseServer.
    const server = serverOfJob(db, jobId, { baseUrl: a.baseUrl, trusted, trustBaseUrl, consentHint: APP_CONSENT_HINT });
    resolveEndpoint({ baseUrl: server.baseUrl, model: config.endpoint.model, apiKey: sessionKey ?? undefined }, env);

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
      env,
      trusted,
      baseUrl: a.baseUrl,
      client: clientOf(a),
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
        const session = { sessionRequests: current.last?.sessionRequests ?? 0 };
        events.emit({ type: 'job-progress', ...stored, ...session, ...(failedEarly ? { status: 'failed', error: current.last?.error ?? null } : {}) });
      }
    });
    return { ...infoById(jobId), status: 'running', runningHere: true };
  }

  const api: JobsApi = {
    async getModelServer() {
      return settings();
    },

    async setModelServer(args) {
      const a = parseModelServerUpdate(args);
      if (a.baseUrl) resolveEndpoint({ baseUrl: a.baseUrl, model: 'any' }, {}); // the same URL checks as a job's
      named(a.baseUrl);
      const { apiKey, ...stored } = a;
      store.write(stored);
      if (apiKey !== undefined) sessionKey = apiKey?.trim() || null;
      return settings();
    },

    async listJobs() {
      return listJobRows(db).map((r) => info(r, active?.jobId === r.id ? active.last : null));
    },

    ...createChatPlanners(db, { endpointOf, pricingOf, planned }),
    ...createExternalPlanners(db, { endpointOf, pricingOf, planned }),

    async startJob(args) {
      return launch('startJob', parseArgs('startJob', launchArgs, args));
    },

    async resumeJob(args) {
      return launch('resumeJob', parseArgs('resumeJob', launchArgs, args));
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
