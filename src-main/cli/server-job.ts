import type { Command } from 'commander';
import { UserError } from '../core/errors';
import type { ChatClientOptions } from '../core/policy/chat-client';
import { describeEndpoint, environmentBaseUrl, resolveEndpoint } from '../core/policy/endpoint';
import { describeJob } from '../core/policy/job-info';
import type { Pricing } from '../core/policy/job-runner';
import { jobProgress, listJobProgress, runPolicyJob, serverOfJob, type JobProgress, type ServerJobConfig } from '../core/policy/jobs';
import type { Db } from '../core/store/db';
import { findUnfinishedJob, getJob, type JobKind } from '../core/store/jobs-store';
import { log, runAction, withCommon, type CommonOptions } from './common';

/**
 * What every model-server command (generate, label, embed, score) shares: the server and
 * its retries, prices, which job to run or resume, progress on stderr, the final status.
 */
export interface ConnectionCliOptions extends CommonOptions {
  baseUrl?: string;
  model?: string;
  concurrency: string;
  timeout: string;
  retries: string;
  pricePrompt?: string;
  priceCompletion?: string;
  missingImages: string;
  job?: string;
  new?: boolean;
  status?: boolean;
}

export function withConnectionOptions(cmd: Command, kind: JobKind, modelHelp = 'model name as the server knows it (default: $DREAMPRM_MODEL)'): Command {
  return withCommon(
    cmd
      .option('--base-url <url>', 'OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (default: $DREAMPRM_BASE_URL)')
      .option('--model <name>', modelHelp)
      .option('--concurrency <n>', 'requests in flight at once', '4')
      .option('--timeout <seconds>', 'per request attempt', '120')
      .option('--retries <n>', 'retries per request on 5xx, 429, timeouts, network errors and malformed replies', '4')
      .option('--price-prompt <x>', 'price per 1,000 prompt tokens, for the cost estimate')
      .option('--price-completion <x>', 'price per 1,000 completion tokens, for the cost estimate')
      .option('--missing-images <policy>', 'a question whose image was missing at import: fail | omit (send the text alone)', 'fail')
      .option('--job <id>', `resume this ${kind} job`)
      .option('--new', `plan a new job even if an unfinished ${kind} job exists`)
      .option('--status', `show the ${kind} jobs (or --job ID) and exit`),
  );
}

export function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isFinite(x)) throw new UserError(`${flag} must be a number, got "${value}"`);
  return x;
}

/** The prices given, or undefined. */
export function pricingOf(opts: ConnectionCliOptions): Pricing | undefined {
  const pricing = { promptPer1k: number(opts.pricePrompt, '--price-prompt'), completionPer1k: number(opts.priceCompletion, '--price-completion') };
  return pricing.promptPer1k !== undefined || pricing.completionPer1k !== undefined ? pricing : undefined;
}

export function missingImagesOf(opts: ConnectionCliOptions): 'fail' | 'omit' {
  if (opts.missingImages !== 'fail' && opts.missingImages !== 'omit') {
    throw new UserError(`--missing-images must be fail or omit, got "${opts.missingImages}"`);
  }
  return opts.missingImages;
}

export function clientOptions(opts: ConnectionCliOptions): ChatClientOptions {
  const concurrency = number(opts.concurrency, '--concurrency')!;
  const retries = number(opts.retries, '--retries')!;
  const timeout = number(opts.timeout, '--timeout')!;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UserError(`--concurrency must be a positive integer, got ${opts.concurrency}`);
  if (!Number.isInteger(retries) || retries < 0) throw new UserError(`--retries must be a non-negative integer, got ${opts.retries}`);
  if (!(timeout > 0)) throw new UserError(`--timeout must be positive, got ${opts.timeout}`);
  return {
    concurrency,
    maxAttempts: retries + 1,
    timeoutMs: timeout * 1000,
    onRetry: (r) => log(`retrying after ${(r.delayMs / 1000).toFixed(1)} s (attempt ${r.attempt}): ${r.error}`),
  };
}

/**
 * Which job to run: --job ID, else the unfinished job of this kind on the same pool (so a
 * plain re-run resumes after a crash), else a new one planned by `plan`.
 */
export function chooseJob(db: Db, kind: JobKind, opts: ConnectionCliOptions, pool: string, plan: () => { jobId: number; text: string }): number {
  if (opts.job !== undefined) {
    const id = number(opts.job, '--job')!;
    const job = getJob(db, id);
    if (!job) throw new UserError(`no job ${id}: \`dreamprm ${kind} --status\` lists them`);
    if (job.kind !== kind) throw new UserError(`job ${id} is a ${job.kind} job: resume it with \`dreamprm ${job.kind} --job ${id}\``);
    log(`resuming ${kind} job ${id}`);
    return id;
  }
  const open = opts.new ? undefined : findUnfinishedJob(db, kind);
  if (open && describeJob(open).pool === pool) {
    log(`resuming unfinished ${kind} job ${open.id} (${open.status}) with the settings it was planned with; --new starts another`);
    return open.id;
  }
  const { jobId, text } = plan();
  log(text);
  return jobId;
}

/**
 * The server this run sends to, said on stderr. The stored URL is never used on its own (a
 * database may come from someone else, see server-trust.ts): --base-url or the environment
 * names the server, and replaces the stored one when they differ.
 */
function announceServer(db: Db, jobId: number, opts: ConnectionCliOptions): string {
  const job = getJob(db, jobId)!;
  const config = job.config as ServerJobConfig;
  const server = serverOfJob(db, jobId, {
    baseUrl: opts.baseUrl ?? environmentBaseUrl(),
    consentHint: `To use it, pass --base-url ${config.endpoint.baseUrl}; or pass --base-url with your own server.`,
  });
  if (server.replaced) {
    const from = opts.baseUrl ? '--base-url' : 'the environment';
    log(`${job.kind} job ${jobId} was planned against ${server.replaced}; using ${server.baseUrl} (${from}) instead`);
  }
  const endpoint = resolveEndpoint({ baseUrl: server.baseUrl, model: config.endpoint.model });
  log(`${job.kind} job ${jobId}: ${endpoint.model} at ${endpoint.baseUrl}${describeEndpoint(endpoint).apiKey ? ' (with API key)' : ''}`);
  return server.baseUrl;
}

/** Runs the job with a progress line on stderr; Ctrl-C stops it cleanly (a second one exits). */
export async function runWithProgress(db: Db, jobId: number, opts: ConnectionCliOptions): Promise<JobProgress> {
  const baseUrl = announceServer(db, jobId, opts);
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    log('\nstopping after the requests in flight (Ctrl-C again to quit now; finished requests are kept)');
    stop.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  let last = 0;
  try {
    const final = await runPolicyJob(db, jobId, {
      baseUrl,
      client: clientOptions(opts),
      signal: stop.signal,
      onProgress: (p) => {
        const now = Date.now();
        if (now - last < (tty ? 250 : 2000)) return;
        last = now;
        process.stderr.write(tty ? `\r\x1b[K${progressLine(p)}` : `${progressLine(p)}\n`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    return final;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function progressLine(p: JobProgress): string {
  const c = p.counters;
  const finished = c.done + c.failed;
  const rate = p.sessionSeconds > 0 ? p.sessionRequests / p.sessionSeconds : 0;
  const eta = rate > 0 ? Math.round(c.pending / rate) : null;
  const parts = [
    `${p.kind} job ${p.jobId}: ${finished}/${c.total} requests (${c.done} done, ${c.failed} failed)`,
    `${kTokens(c.promptTokens)} prompt + ${kTokens(c.completionTokens)} completion tokens`,
  ];
  if (p.cost !== null) parts.push(`cost ~${p.cost.toFixed(4)}`);
  if (rate > 0) parts.push(`${rate.toFixed(2)} req/s`);
  if (eta !== null && c.pending > 0) parts.push(`ETA ${eta} s`);
  return parts.join(' · ');
}

const kTokens = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));

/** Final line, or the reason the command fails: failed requests and interruptions exit non-zero. */
export function finishOrThrow(p: JobProgress, kind: JobKind): JobProgress {
  if (p.status === 'completed') return p;
  if (p.status === 'cancelled') {
    throw new UserError(`${kind} job ${p.jobId} stopped with ${p.counters.pending} requests to go; \`dreamprm ${kind} --job ${p.jobId}\` resumes it`);
  }
  throw new UserError(`${p.error ?? `${kind} job ${p.jobId} ended ${p.status}`}: \`dreamprm ${kind} --job ${p.jobId}\``);
}

/** What a job's lines show: the store's JobProgress and the API's PolicyJobInfo both have it. */
export type JobCounters = Pick<JobProgress, 'jobId' | 'kind' | 'status' | 'counters' | 'cost' | 'error'>;

export function renderProgress(p: JobCounters): string {
  const c = p.counters;
  const lines = [
    `${p.kind} job ${p.jobId} ${p.status}: ${c.done} of ${c.total} requests done, ${c.failed} failed, ${c.pending} pending`,
    `tokens: ${c.promptTokens} prompt, ${c.completionTokens} completion${p.cost !== null ? `; estimated cost ${p.cost.toFixed(4)}` : ''}`,
  ];
  if (p.error) lines.push(`error: ${p.error}`);
  return lines.join('\n');
}

export function statusOf(db: Db, kind: JobKind, opts: ConnectionCliOptions): { jobs: JobProgress[] } {
  if (opts.job !== undefined) return { jobs: [jobProgress(db, number(opts.job, '--job')!)] };
  return { jobs: listJobProgress(db, kind) };
}

export function renderStatus(s: { jobs: JobCounters[] }): string {
  return s.jobs.length ? s.jobs.map(renderProgress).join('\n\n') : 'no jobs yet';
}


export interface ServerJobAction<T> {
  kind: JobKind;
  /** the pool(s) the job covers: an unfinished job of the same kind and scope is resumed */
  scope: string;
  /** plans a new job (nothing sent) and says what it will do */
  plan(db: Db): { jobId: number; text: string };
  /** what to print once the job completed (default: its counters) */
  done?: { value(db: Db, p: JobProgress): T; render(value: T): string };
}

/** A model-server command's action: --status, or run (resume, or plan) the job with progress until it ends. */
export async function serverJobAction<T = JobProgress>(opts: ConnectionCliOptions, a: ServerJobAction<T>): Promise<void> {
  if (opts.status) return runAction(opts, (db) => statusOf(db, a.kind, opts), renderStatus);
  const done = a.done ?? { value: (_db: Db, p: JobProgress) => p as T, render: renderProgress as (v: T) => string };
  await runAction(
    opts,
    async (db) => {
      const jobId = chooseJob(db, a.kind, opts, a.scope, () => a.plan(db));
      return done.value(db, finishOrThrow(await runWithProgress(db, jobId, opts), a.kind));
    },
    done.render,
  );
}
