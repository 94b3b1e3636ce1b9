import type { Command } from 'commander';
import type { StudioApi } from '../core/api/studio-api';
import type { PolicyJobInfo } from '../core/api/types';
import { UserError } from '../core/errors';
import { resolveEndpoint } from '../core/policy/endpoint';
import type { Pricing } from '../core/policy/job-runner';
import type { JobKind } from '../core/store/jobs-store';
import { withCommon, type CommonOptions } from './common';

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

/** The run's client settings, checked with the CLI's own messages before the API sees them. */
export function clientOptions(opts: ConnectionCliOptions): { concurrency: number; retries: number; timeoutSeconds: number } {
  const concurrency = number(opts.concurrency, '--concurrency')!;
  const retries = number(opts.retries, '--retries')!;
  const timeout = number(opts.timeout, '--timeout')!;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UserError(`--concurrency must be a positive integer, got ${opts.concurrency}`);
  if (!Number.isInteger(retries) || retries < 0) throw new UserError(`--retries must be a non-negative integer, got ${opts.retries}`);
  if (!(timeout > 0)) throw new UserError(`--timeout must be positive, got ${opts.timeout}`);
  return { concurrency, retries, timeoutSeconds: timeout };
}

/** The plan's server and prices: named here, never the app's stored settings (the CLI has never read them). */
export function serverFields(opts: ConnectionCliOptions, model: string | undefined): {
  baseUrl: string;
  model: string;
  pricePromptPer1k: number | null;
  priceCompletionPer1k: number | null;
  concurrency: number;
} {
  const endpoint = resolveEndpoint({ baseUrl: opts.baseUrl, model });
  const pricing = pricingOf(opts);
  return {
    baseUrl: endpoint.baseUrl,
    model: endpoint.model,
    // null, not absent: the API would fall back to the app's stored prices
    pricePromptPer1k: pricing?.promptPer1k ?? null,
    priceCompletionPer1k: pricing?.completionPer1k ?? null,
    concurrency: clientOptions(opts).concurrency,
  };
}

export function progressLine(p: PolicyJobInfo): string {
  const c = p.counters;
  const parts = [
    `${p.kind} job ${p.jobId}: ${c.done + c.failed}/${c.total} requests (${c.done} done, ${c.failed} failed)`,
    `${kTokens(c.promptTokens)} prompt + ${kTokens(c.completionTokens)} completion tokens`,
  ];
  if (p.cost !== null) parts.push(`cost ~${p.cost.toFixed(4)}`);
  if (p.requestsPerSecond) parts.push(`${p.requestsPerSecond.toFixed(2)} req/s`);
  if (p.etaSeconds !== null && c.pending > 0) parts.push(`ETA ${p.etaSeconds} s`);
  return parts.join(' · ');
}

const kTokens = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));

/** Final line, or the reason the command fails: failed requests and interruptions exit non-zero. */
export function finishOrThrow(p: PolicyJobInfo, kind: JobKind): PolicyJobInfo {
  if (p.status === 'completed') return p;
  if (p.status === 'cancelled') {
    throw new UserError(`${kind} job ${p.jobId} stopped with ${p.counters.pending} requests to go; \`dreamprm ${kind} --job ${p.jobId}\` resumes it`);
  }
  throw new UserError(`${p.error ?? `${kind} job ${p.jobId} ended ${p.status}`}: \`dreamprm ${kind} --job ${p.jobId}\``);
}

export function renderProgress(p: PolicyJobInfo): string {
  const c = p.counters;
  const lines = [
    `${p.kind} job ${p.jobId} ${p.status}: ${c.done} of ${c.total} requests done, ${c.failed} failed, ${c.pending} pending`,
    `tokens: ${c.promptTokens} prompt, ${c.completionTokens} completion${p.cost !== null ? `; estimated cost ${p.cost.toFixed(4)}` : ''}`,
  ];
  if (p.error) lines.push(`error: ${p.error}`);
  return lines.join('\n');
}

/** --status: this kind's jobs as the API lists them, or the one --job names. */
export async function statusOf(api: StudioApi, kind: JobKind, opts: ConnectionCliOptions): Promise<{ jobs: PolicyJobInfo[] }> {
  const jobs = await api.listJobs();
  if (opts.job === undefined) return { jobs: jobs.filter((j) => j.kind === kind) };
  const id = number(opts.job, '--job')!;
  const job = jobs.find((j) => j.jobId === id);
  if (!job) throw new UserError(`no job ${id}`);
  return { jobs: [job] };
}

export function renderStatus(s: { jobs: PolicyJobInfo[] }): string {
  return s.jobs.length ? s.jobs.map(renderProgress).join('\n\n') : 'no jobs yet';
}

