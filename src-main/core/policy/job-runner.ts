import type { Db } from '../store/db';
import {
  cancelRequested,
  claimJob,
  failedRequests,
  finishJob,
  getJob,
  heartbeat,
  markDone,
  markFailed,
  openRequests,
  ownerAlive,
  requestCounters,
  setJobSummary,
  type JobKind,
  type JobRow,
  type JobStatus,
  type RequestCounters,
  type RequestStatus,
} from '../store/jobs-store';
import { errorMessage, UserError } from '../errors';
import type { ServerCall, ServerClient } from './server-client';

/**
 * What a kind of job does with each of its planned requests. Method syntax on purpose: a
 * handler of chat requests is used where any handler is expected.
 */
export interface JobHandler<Q = unknown, R = unknown> {
  /** The request to send, or an error to record without asking the server (e.g. a missing image). */
  build(key: string, payload: unknown): Q | { error: string };
  /** How a built request goes to the server (chat completions, embeddings, pooling). */
  call(req: Q, model: string): ServerCall<R>;
  /**
   * Writes the reply's effect (new CoTs, step labels, vectors) and returns what to store as
   * the request's result. Runs inside the transaction that marks the request done; throwing
   * marks it failed instead and writes nothing.
   */
  apply(key: string, payload: unknown, reply: R): unknown;
  /**
   * Runs once every request is done, before the job is marked completed (the score job stores
   * its evaluation here); what it returns is merged into the job's summary. Throwing fails the
   * job with that reason, and the next resume runs it again.
   */
  finish?(): Promise<Record<string, unknown>> | Record<string, unknown>;
}

export interface Pricing {
  /** price per 1,000 prompt tokens, in any currency */
  promptPer1k?: number;
  completionPer1k?: number;
}

export interface JobProgress {
  jobId: number;
  kind: JobKind;
  /** 'interrupted' when the row says running but its process is gone */
  status: JobStatus;
  counters: RequestCounters;
  /** estimated from the token counts, when a price was given */
  cost: number | null;
  /** requests finished (done or failed) in this session, and its length */
  sessionRequests: number;
  sessionSeconds: number;
  error: string | null;
}

export interface RunJobOptions {
  client: ServerClient;
  /** aborting stops the job: in-flight requests stay pending for the next resume */
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
  /** rows read from the store at a time */
  pageSize?: number;
}

const HEARTBEAT_MS = 15_000;

export function costOf(counters: RequestCounters, pricing: Pricing | undefined): number | null {
  if (!pricing || (pricing.promptPer1k === undefined && pricing.completionPer1k === undefined)) return null;
  const c = (counters.promptTokens / 1000) * (pricing.promptPer1k ?? 0) + (counters.completionTokens / 1000) * (pricing.completionPer1k ?? 0);
  return Math.round(c * 1e6) / 1e6;
}

function pricingOf(job: JobRow): Pricing | undefined {
  return (job.config as { pricing?: Pricing }).pricing;
}

/** A job's progress as stored: what the UI shows for a job no process is running. */
export function jobProgress(db: Db, jobId: number, session = { requests: 0, seconds: 0 }): JobProgress {
  const job = getJob(db, jobId);
  if (!job) throw new UserError(`no job ${jobId}`);
  const counters = requestCounters(db, jobId);
  const status: JobStatus = job.status === 'running' && !ownerAlive(job) ? 'interrupted' : job.status;
  return {
    jobId,
    kind: job.kind,
    status,
    counters,
    cost: costOf(counters, pricingOf(job)),
    sessionRequests: session.requests,
    sessionSeconds: Math.round(session.seconds * 10) / 10,
    error: job.error,
  };
}

/**
 * Runs (or resumes) a job until every planned request is done or has failed in this session.
 * Finished requests are never sent again. A failed request is retried by the next resume.
 */
export async function runJob(db: Db, jobId: number, handler: JobHandler, opts: RunJobOptions): Promise<JobProgress> {
  const job = claimJob(db, jobId);
  const started = performance.now();
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // The heartbeat tells other processes this job is alive even while every request is slow.
  const beat = setInterval(() => heartbeat(db, jobId), HEARTBEAT_MS);
  beat.unref();
  // Counted in memory after one query: re-counting a million rows per reply would be quadratic.
  const counters = requestCounters(db, jobId);
  const pricing = pricingOf(job);
  let finishedHere = 0;
  const progress = (): JobProgress => ({
    jobId,
    kind: job.kind,
    status: 'running',
    counters: { ...counters },
    cost: costOf(counters, pricing),
    sessionRequests: finishedHere,
    sessionSeconds: Math.round(((performance.now() - started) / 1000) * 10) / 10,
    error: null,
  });
  const moved = (from: RequestStatus, to: RequestStatus, tokens: { promptTokens: number; completionTokens: number }) => {
    counters[from]--;
    counters[to]++;
    counters.promptTokens += tokens.promptTokens;
    counters.completionTokens += tokens.completionTokens;
  };

  const pageSize = opts.pageSize ?? 256;
  let page: ReturnType<typeof openRequests> = [];
  let afterKey: string | null = null;
  let exhausted = false;
  const next = () => {
    if (!page.length && !exhausted) {
      page = openRequests(db, jobId, afterKey, pageSize);
      if (page.length) afterKey = page[page.length - 1].key;
      else exhausted = true;
    }
    return page.shift();
  };

  async function worker(): Promise<void> {
    for (let row = next(); row && !stop.signal.aborted; row = next()) {
      const noTokens = { promptTokens: 0, completionTokens: 0 };
      const call = safeBuild(handler, row.key, row.payload, opts.client.endpoint.model);
      if ('error' in call) {
        markFailed(db, jobId, row.key, call.error, 1);
        moved(row.status, 'failed', noTokens);
      } else {
        const out = await opts.client.send(call, stop.signal);
        if (!out.ok && out.kind === 'aborted') return; // left pending for the next resume
        if (out.ok) {
          const tokens = { promptTokens: out.reply.promptTokens, completionTokens: out.reply.completionTokens };
          try {
            db.transaction(() => {
              const result = handler.apply(row.key, row.payload, out.reply.value);
              markDone(db, jobId, row.key, result, { attempts: out.attempts, ...tokens });
            })();
            moved(row.status, 'done', tokens);
          } catch (e) {
            markFailed(db, jobId, row.key, `reply could not be used: ${errorMessage(e)}`, out.attempts, tokens);
            moved(row.status, 'failed', tokens);
          }
        } else {
          markFailed(db, jobId, row.key, out.error, out.attempts);
          moved(row.status, 'failed', noTokens);
        }
      }
      finishedHere++;
      if (cancelRequested(db, jobId)) stop.abort(new Error('cancel requested'));
      opts.onProgress?.(progress());
    }
  }

  try {
    await Promise.all(Array.from({ length: opts.client.concurrency }, () => worker()));
  } catch (e) {
    finishJob(db, jobId, 'failed', errorMessage(e));
    throw e;
  } finally {
    clearInterval(beat);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  const stored = requestCounters(db, jobId);
  if (stop.signal.aborted) finishJob(db, jobId, 'cancelled');
  else if (stored.failed > 0) {
    const first = failedRequests(db, jobId, 1)[0];
    finishJob(db, jobId, 'failed', `${stored.failed} of ${stored.total} requests failed (first: ${first.key}: ${first.error}); run the job again to retry them`);
  } else await finishAll(db, jobId, handler);
  const final = jobProgress(db, jobId, { requests: finishedHere, seconds: (performance.now() - started) / 1000 });
  opts.onProgress?.(final);
  return final;
}

function safeBuild(handler: JobHandler, key: string, payload: unknown, model: string): ServerCall<unknown> | { error: string } {
  try {
    const req = handler.build(key, payload);
    if (req && typeof req === 'object' && 'error' in req) return req as { error: string };
    return handler.call(req, model);
  } catch (e) {
    return { error: `cannot build the request: ${errorMessage(e)}` };
  }
}

/** Every request is done: the handler's last step, then completed (or failed with its reason). */
async function finishAll(db: Db, jobId: number, handler: JobHandler): Promise<void> {
  try {
    const extra = (await handler.finish?.()) ?? {};
    if (Object.keys(extra).length) setJobSummary(db, jobId, { ...(getJob(db, jobId)!.summary as object), ...extra });
    finishJob(db, jobId, 'completed');
  } catch (e) {
    finishJob(db, jobId, 'failed', `every request is done, but the last step failed: ${errorMessage(e)}; run the job again to retry it`);
  }
}
