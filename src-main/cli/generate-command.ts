import type { Command } from 'commander';
import { UserError } from '../core/errors';
import type { ChatClientOptions } from '../core/policy/chat-client';
import { describeEndpoint, resolveEndpoint } from '../core/policy/endpoint';
import type { GenerateConfig, PolicyJobConfig } from '../core/policy/job-config';
import { jobProgress, listJobProgress, planGenerateJob, runPolicyJob, type JobProgress } from '../core/policy/jobs';
import { loadTemplates } from '../core/policy/prompts';
import type { Db } from '../core/store/db';
import { findUnfinishedJob, getJob, type JobKind } from '../core/store/jobs-store';
import { POOLS, type Pool } from '../core/types';
import { log, runAction, withCommon, type CommonOptions } from './common';

/** Options shared by `generate` and `label`. */
export interface ServerJobCliOptions extends CommonOptions {
  pool?: string;
  domain?: string[];
  limit?: string;
  baseUrl?: string;
  model?: string;
  concurrency: string;
  perRequest?: string;
  temperature: string;
  maxTokens: string;
  timeout: string;
  retries: string;
  template?: string;
  continueTemplate?: string;
  relTol: string;
  absTol: string;
  pricePrompt?: string;
  priceCompletion?: string;
  missingImages: string;
  job?: string;
  new?: boolean;
  status?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function withServerOptions(cmd: Command, kind: JobKind): Command {
  return withCommon(
    cmd
      .option('--domain <name>', 'only this domain (repeatable; default: every non-excluded domain of the pool)', collect)
      .option('--limit <n>', kind === 'generate' ? 'at most this many questions' : 'at most this many CoTs')
      .option('--base-url <url>', 'OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (default: $DREAMPRM_BASE_URL)')
      .option('--model <name>', 'model name as the server knows it (default: $DREAMPRM_MODEL)')
      .option('--concurrency <n>', 'requests in flight at once', '4')
      .option('--per-request <n>', 'completions per HTTP request (the "n" parameter; 1 for servers that ignore it; default: all)')
      .option('--temperature <t>', 'sampling temperature', '0.7')
      .option('--max-tokens <n>', 'completion length limit', '1024')
      .option('--timeout <seconds>', 'per request attempt', '120')
      .option('--retries <n>', 'retries per request on 5xx, 429, timeouts, network errors and malformed replies', '4')
      .option('--template <file>', 'prompt template with a {question} placeholder (default: five-step structural thinking)')
      .option('--rel-tol <x>', 'relative tolerance when comparing numeric answers', '1e-6')
      .option('--abs-tol <x>', 'absolute tolerance when comparing numeric answers', '1e-9')
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

export function poolOf(value: string | undefined, fallback: Pool): Pool {
  const p = value ?? fallback;
  if (!(POOLS as readonly string[]).includes(p)) throw new UserError(`unknown pool "${p}": use train, meta or test`);
  return p as Pool;
}

/** The job settings common to both kinds, from the command line (templates read now, stored with the job). */
export function commonConfig(opts: ServerJobCliOptions, pool: Pool, samples: number): PolicyJobConfig {
  const endpoint = resolveEndpoint({ baseUrl: opts.baseUrl, model: opts.model });
  if (opts.missingImages !== 'fail' && opts.missingImages !== 'omit') {
    throw new UserError(`--missing-images must be fail or omit, got "${opts.missingImages}"`);
  }
  const pricing = { promptPer1k: number(opts.pricePrompt, '--price-prompt'), completionPer1k: number(opts.priceCompletion, '--price-completion') };
  return {
    endpoint: { baseUrl: endpoint.baseUrl, model: endpoint.model },
    templates: loadTemplates({ solve: opts.template, continue: opts.continueTemplate }),
    temperature: number(opts.temperature, '--temperature')!,
    maxTokens: number(opts.maxTokens, '--max-tokens')!,
    perRequest: number(opts.perRequest, '--per-request') ?? samples,
    match: { relTol: number(opts.relTol, '--rel-tol')!, absTol: number(opts.absTol, '--abs-tol')! },
    ...(pricing.promptPer1k !== undefined || pricing.completionPer1k !== undefined ? { pricing } : {}),
    missingImages: opts.missingImages,
    pool,
    domains: opts.domain?.length ? opts.domain : null,
    limit: number(opts.limit, '--limit') ?? null,
  };
}

export function clientOptions(opts: ServerJobCliOptions): ChatClientOptions {
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
export function chooseJob(db: Db, kind: JobKind, opts: ServerJobCliOptions, pool: Pool, plan: () => { jobId: number; text: string }): number {
  if (opts.job !== undefined) {
    const id = number(opts.job, '--job')!;
    const job = getJob(db, id);
    if (!job) throw new UserError(`no job ${id}: \`dreamprm ${kind} --status\` lists them`);
    if (job.kind !== kind) throw new UserError(`job ${id} is a ${job.kind} job: resume it with \`dreamprm ${job.kind} --job ${id}\``);
    log(`resuming ${kind} job ${id}`);
    return id;
  }
  const open = opts.new ? undefined : findUnfinishedJob(db, kind);
  if (open && (open.config as PolicyJobConfig).pool === pool) {
    log(`resuming unfinished ${kind} job ${open.id} (${open.status}) with the settings it was planned with; --new starts another`);
    return open.id;
  }
  const { jobId, text } = plan();
  log(text);
  return jobId;
}

/** Runs the job with a progress line on stderr; Ctrl-C stops it cleanly (a second one exits). */
export async function runWithProgress(db: Db, jobId: number, opts: ServerJobCliOptions): Promise<JobProgress> {
  const job = getJob(db, jobId)!;
  const config = job.config as PolicyJobConfig;
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    log('\nstopping after the requests in flight (Ctrl-C again to quit now; finished requests are kept)');
    stop.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  let last = 0;
  const endpoint = resolveEndpoint({ baseUrl: opts.baseUrl ?? config.endpoint.baseUrl, model: config.endpoint.model });
  log(`${job.kind} job ${jobId}: ${endpoint.model} at ${endpoint.baseUrl}${describeEndpoint(endpoint).apiKey ? ' (with API key)' : ''}`);
  try {
    const final = await runPolicyJob(db, jobId, {
      baseUrl: opts.baseUrl,
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

export function renderProgress(p: JobProgress): string {
  const c = p.counters;
  const lines = [
    `${p.kind} job ${p.jobId} ${p.status}: ${c.done} of ${c.total} requests done, ${c.failed} failed, ${c.pending} pending`,
    `tokens: ${c.promptTokens} prompt, ${c.completionTokens} completion${p.cost !== null ? `; estimated cost ${p.cost.toFixed(4)}` : ''}`,
  ];
  if (p.error) lines.push(`error: ${p.error}`);
  return lines.join('\n');
}

export function statusOf(db: Db, kind: JobKind, opts: ServerJobCliOptions): { jobs: JobProgress[] } {
  if (opts.job !== undefined) return { jobs: [jobProgress(db, number(opts.job, '--job')!)] };
  return { jobs: listJobProgress(db, kind) };
}

export function renderStatus(s: { jobs: JobProgress[] }): string {
  return s.jobs.length ? s.jobs.map(renderProgress).join('\n\n') : 'no jobs yet';
}

export function register(program: Command): void {
  withServerOptions(
    program
      .command('generate')
      .description('sample N candidate CoTs per question from a model server (resumable; see README "Working with a model server")')
      .option('--pool <pool>', 'test | meta | train', 'test')
      .option('--n <n>', 'candidate CoTs per question', '8'),
    'generate',
  ).action(async (opts: ServerJobCliOptions & { n: string }) => {
    if (opts.status) return runAction(opts, (db) => statusOf(db, 'generate', opts), renderStatus);
    await runAction(
      opts,
      async (db) => {
        const pool = poolOf(opts.pool, 'test');
        const jobId = chooseJob(db, 'generate', opts, pool, () => {
          const n = number(opts.n, '--n')!;
          const config: GenerateConfig = { ...commonConfig(opts, pool, n), n };
          const plan = planGenerateJob(db, config);
          const warn = plan.withoutAnswer ? ` (${plan.withoutAnswer} questions have no ground-truth answer: their CoTs get no correctness label)` : '';
          return { jobId: plan.jobId, text: `planned generate job ${plan.jobId}: ${n} CoTs for each of ${plan.questions} questions, ${plan.requests} requests${warn}` };
        });
        return finishOrThrow(await runWithProgress(db, jobId, opts), 'generate');
      },
      renderProgress,
    );
  });
}
