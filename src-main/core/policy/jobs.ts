import { UserError } from '../errors';
import type { Db } from '../store/db';
import { getJob, listJobs, requestCancel, type JobKind } from '../store/jobs-store';
import { createChatClient, type ChatClient, type ChatClientOptions } from './chat-client';
import { resolveEndpoint } from './endpoint';
import { embedHandler, planEmbedJob, type EmbedConfig, type EmbedPlan } from './embed-job';
import { generateHandler, planGenerateJob, type GeneratePlan } from './generate-job';
import type { GenerateConfig, LabelConfig } from './job-config';
import { jobProgress, runJob, type JobHandler, type JobProgress } from './job-runner';
import { labelHandler, planLabelJob, type LabelPlan } from './label-job';
import { planScoreJob, scoreHandler, type ScoreConfig, type ScorePlan } from './score-job';
import { chooseServer, type ServerChoice, type TrustedServers } from './server-trust';

/**
 * The model-server jobs as the CLI and the UI use them: plan a job (stored, nothing sent),
 * run or resume it, read its progress, ask it to stop.
 */
export { planGenerateJob, planLabelJob, planEmbedJob, planScoreJob, jobProgress };
export type { GeneratePlan, LabelPlan, EmbedPlan, ScorePlan, JobProgress };

/** What any job stores: where its requests go. */
export type ServerJobConfig = GenerateConfig | LabelConfig | EmbedConfig | ScoreConfig;

export interface RunPolicyJobOptions {
  /** from the app's settings; else DREAMPRM_API_KEY / OPENAI_API_KEY */
  apiKey?: string;
  /** where the key falls back to (default: this process's environment) */
  env?: NodeJS.ProcessEnv;
  /**
   * The server named for this run (--base-url or the environment): it replaces the job's
   * stored one, and the model stays the one the job was planned with. Without it the stored
   * server is used only if it is in `trusted` or `trustBaseUrl` repeats it (server-trust.ts).
   */
  baseUrl?: string;
  /** servers named in this process (the app) */
  trusted?: TrustedServers;
  /** the user's consent to the job's stored server: that URL */
  trustBaseUrl?: string;
  /** how to consent, said when the stored server is refused */
  consentHint?: string;
  client?: ChatClientOptions;
  /** a ready client (tests); overrides baseUrl/apiKey/client */
  chatClient?: ChatClient;
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}

export function handlerFor(db: Db, jobId: number): { kind: JobKind; config: ServerJobConfig; handler: JobHandler } {
  const job = getJob(db, jobId);
  if (!job) throw new UserError(`no job ${jobId}: \`dreamprm jobs\` lists them`);
  const make = HANDLERS[job.kind] as (db: Db, jobId: number, config: ServerJobConfig) => JobHandler;
  return { kind: job.kind, config: job.config as ServerJobConfig, handler: make(db, jobId, job.config as ServerJobConfig) };
}

const HANDLERS = {
  generate: generateHandler,
  label: labelHandler,
  embed: embedHandler,
  score: scoreHandler,
} satisfies Record<JobKind, unknown>;

/** Where the job's requests may go now; throws UntrustedServerError for a stored server nobody named here. */
export function serverOfJob(db: Db, jobId: number, opts: Omit<RunPolicyJobOptions, 'chatClient'>): ServerChoice {
  const { config } = handlerFor(db, jobId);
  return chooseServer(jobId, config.endpoint.baseUrl, {
    current: opts.baseUrl,
    trusted: opts.trusted,
    consent: opts.trustBaseUrl,
    consentHint: opts.consentHint ?? 'Name it in this process to use it.',
  });
}

/** Runs or resumes a stored job until every request is done or has failed once more. */
export async function runPolicyJob(db: Db, jobId: number, opts: RunPolicyJobOptions = {}): Promise<JobProgress> {
  const { config, handler } = handlerFor(db, jobId);
  const client =
    opts.chatClient ??
    createChatClient(
      resolveEndpoint({ baseUrl: serverOfJob(db, jobId, opts).baseUrl, model: config.endpoint.model, apiKey: opts.apiKey }, opts.env),
      opts.client,
    );
  return runJob(db, jobId, handler, { client, signal: opts.signal, onProgress: opts.onProgress });
}

export function listJobProgress(db: Db, kind?: JobKind): JobProgress[] {
  return listJobs(db, kind).map((j) => jobProgress(db, j.id));
}

/** Asks the process running the job to stop; in-flight requests stay pending for a resume. */
export function cancelJob(db: Db, jobId: number): void {
  if (!getJob(db, jobId)) throw new UserError(`no job ${jobId}`);
  requestCancel(db, jobId);
}
