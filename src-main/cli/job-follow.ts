/**
 * `generate`, `label`, `embed` and `score` through the StudioApi: choose the job (resume one,
 * or plan a new one), start or resume it in this process's studio, draw its job-progress
 * events, cancel it through the API on Ctrl-C, and return its final PolicyJobInfo.
 */
import type { StudioApi } from '../core/api/studio-api';
import type { StudioService } from '../core/api/service';
import type { PolicyJobInfo } from '../core/api/types';
import { UserError } from '../core/errors';
import { environmentBaseUrl } from '../core/policy/endpoint';
import { sameServer, UntrustedServerError, untrustedMessage } from '../core/policy/server-trust';
import type { JobKind } from '../core/store/jobs-store';
import { log, withStudio } from './common';
import { clientOptions, finishOrThrow, number, progressLine, renderProgress, renderStatus, statusOf, type ConnectionCliOptions } from './server-job';

/**
 * Which job to run: --job ID, else the newest unfinished job of this kind on the same pool
 * (so a plain re-run resumes after a crash), else a new one planned by `plan`.
 */
export async function chooseJob(
  api: StudioApi,
  kind: JobKind,
  opts: ConnectionCliOptions,
  scope: string,
  plan: () => Promise<{ job: PolicyJobInfo; text: string }>,
): Promise<PolicyJobInfo> {
  const jobs = await api.listJobs(); // newest first
  if (opts.job !== undefined) {
    const id = number(opts.job, '--job')!;
    const job = jobs.find((j) => j.jobId === id);
    if (!job) throw new UserError(`no job ${id}: \`dreamprm ${kind} --status\` lists them`);
    if (job.kind !== kind) throw new UserError(`job ${id} is a ${job.kind} job: resume it with \`dreamprm ${job.kind} --job ${id}\``);
    log(`resuming ${kind} job ${id}`);
    return job;
  }
  const open = opts.new ? undefined : jobs.find((j) => j.kind === kind && j.status !== 'completed');
  if (open && open.pool === scope) {
    log(`resuming unfinished ${kind} job ${open.jobId} (${open.status}) with the settings it was planned with; --new starts another`);
    return open;
  }
  const { job, text } = await plan();
  log(text);
  return job;
}

/**
 * The server named for this run: --base-url, else the environment. The stored URL is never
 * used on its own (a database may come from someone else, see server-trust.ts): the API
 * refuses it unless this names it, and the CLI's refusal says how to name it.
 */
function currentServer(opts: ConnectionCliOptions): { url: string | undefined; from: string } {
  return { url: opts.baseUrl ?? environmentBaseUrl(), from: opts.baseUrl ? '--base-url' : 'the environment' };
}

/** startJob for a job never run, resumeJob otherwise; the API's refusal of a stored server in the CLI's words. */
async function launch(api: StudioApi, job: PolicyJobInfo, opts: ConnectionCliOptions): Promise<void> {
  const client = clientOptions(opts);
  const baseUrl = currentServer(opts).url;
  const req = {
    jobId: job.jobId,
    ...(baseUrl ? { baseUrl } : {}),
    concurrency: client.concurrency,
    retries: client.retries,
    timeoutSeconds: client.timeoutSeconds,
  };
  try {
    await (job.status === 'pending' ? api.startJob(req) : api.resumeJob(req));
  } catch (e) {
    if (!(e instanceof UntrustedServerError)) throw e;
    const hint = `To use it, pass --base-url ${e.baseUrl}; or pass --base-url with your own server.`;
    throw new UserError(untrustedMessage(job.jobId, e.baseUrl, hint));
  }
}

/** Says on stderr where the requests go, as the command did before it went through the API. */
async function announceServer(api: StudioApi, job: PolicyJobInfo, opts: ConnectionCliOptions): Promise<void> {
  const current = currentServer(opts);
  if (current.url && !sameServer(current.url, job.baseUrl)) {
    log(`${job.kind} job ${job.jobId} was planned against ${job.baseUrl}; using ${current.url} (${current.from}) instead`);
  }
  const withKey = (await api.getModelServer()).apiKeySource !== null ? ' (with API key)' : '';
  log(`${job.kind} job ${job.jobId}: ${job.model} at ${(current.url ?? job.baseUrl).trim().replace(/\/+$/, '')}${withKey}`);
}

/**
 * Runs the job through the API until its final job-progress event, with a progress line on
 * stderr and retries said as they happen. Ctrl-C cancels it through the API (finished
 * requests are kept); a second Ctrl-C exits at once.
 */
export async function followJob(service: StudioService, job: PolicyJobInfo, opts: ConnectionCliOptions): Promise<PolicyJobInfo> {
  const api = service.api;
  const line = progressWriter();
  let final: PolicyJobInfo | null = null;
  let wake = (): void => {};
  const off = service.subscribe((e) => {
    if (e.type === 'job-retry' && e.jobId === job.jobId) log(`retrying after ${(e.delayMs / 1000).toFixed(1)} s (attempt ${e.attempt}): ${e.error}`);
    if (e.type !== 'job-progress' || e.jobId !== job.jobId) return;
    const { type: _type, ...info } = e;
    if (info.status === 'running') return line.update(info);
    final = info;
    wake();
  });
  const sigint = onSigint(api, job.jobId);
  try {
    await launch(api, job, opts);
    // A Ctrl-C during the launch found nothing running yet (starting clears a stored cancel): cancel now.
    if (sigint.interrupted()) await api.cancelJob({ jobId: job.jobId });
    await announceServer(api, job, opts);
    while (!final) await new Promise<void>((resolve) => (wake = resolve));
    return final;
  } finally {
    line.done();
    off();
    sigint.stop();
  }
}

function onSigint(api: StudioApi, jobId: number): { interrupted: () => boolean; stop: () => void } {
  let interrupts = 0;
  const handler = (): void => {
    if (++interrupts > 1) process.exit(130);
    log('\nstopping after the requests in flight (Ctrl-C again to quit now; finished requests are kept)');
    api.cancelJob({ jobId }).catch((e: unknown) => log(`dreamprm: ${(e as Error).message}`));
  };
  process.on('SIGINT', handler);
  return { interrupted: () => interrupts > 0, stop: () => process.off('SIGINT', handler) };
}

/** Redrawn in place on a terminal (at most 4 a second); elsewhere one line every 2 s. */
function progressWriter(tty = process.stderr.isTTY === true): { update: (p: PolicyJobInfo) => void; done: () => void } {
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < (tty ? 250 : 2000)) return;
      last = now;
      drawn = tty;
      process.stderr.write(tty ? `\r\x1b[K${progressLine(p)}` : `${progressLine(p)}\n`);
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}

export interface ServerJobAction<T> {
  kind: JobKind;
  /** the pool(s) the job covers: an unfinished job of the same kind and scope is resumed */
  scope: string;
  /** plans a new job through the API (nothing sent) and says what it will do */
  plan(api: StudioApi): Promise<{ job: PolicyJobInfo; text: string }>;
  /** what to print once the job completed (default: its PolicyJobInfo) */
  done?: { value(api: StudioApi, job: PolicyJobInfo): Promise<T>; render(value: T): string };
}

/** A model-server command's action: --status, or run (resume, or plan) the job through the API until it ends. */
export async function serverJobAction<T = PolicyJobInfo>(opts: ConnectionCliOptions, a: ServerJobAction<T>): Promise<void> {
  if (opts.status) return withStudio(opts, (api) => statusOf(api, a.kind, opts), renderStatus);
  const done = a.done ?? { value: async (_api: StudioApi, job: PolicyJobInfo) => job as T, render: renderProgress as (v: T) => string };
  await withStudio(
    opts,
    async (api, service) => {
      const job = await chooseJob(api, a.kind, opts, a.scope, () => a.plan(api));
      return done.value(api, finishOrThrow(await followJob(service, job, opts), a.kind));
    },
    done.render,
  );
}
