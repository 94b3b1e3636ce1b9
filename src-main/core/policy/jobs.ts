import { UserError } from '../errors';
import type { Db } from '../store/db';
import { getJob, listJobs, requestCancel, type JobKind } from '../store/jobs-store';
import { createChatClient, type ChatClient, type ChatClientOptions } from './chat-client';
import { resolveEndpoint } from './endpoint';
import { generateHandler, planGenerateJob, type GeneratePlan } from './generate-job';
import type { GenerateConfig, LabelConfig } from './job-config';
import { jobProgress, runJob, type JobHandler, type JobProgress } from './job-runner';
import { labelHandler, planLabelJob, type LabelPlan } from './label-job';

/**
 * The model-server jobs as the CLI and the UI use them: plan a job (stored, nothing sent),
 * run or resume it, read its progress, ask it to stop.
 */
export { planGenerateJob, planLabelJob, jobProgress };
export type { GeneratePlan, LabelPlan, JobProgress };

export interface RunPolicyJobOptions {
  /** from the app's settings; else DREAMPRM_API_KEY / OPENAI_API_KEY */
  apiKey?: string;
  /** a new address for the job's server (the model stays the one the job was planned with) */
  baseUrl?: string;
  client?: ChatClientOptions;
  /** a ready client (tests); overrides baseUrl/apiKey/client */
  chatClient?: ChatClient;
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}

export function handlerFor(db: Db, jobId: number): { kind: JobKind; config: GenerateConfig | LabelConfig; handler: JobHandler } {
  const job = getJob(db, jobId);
  if (!job) throw new UserError(`no job ${jobId}: \`dreamprm jobs\` lists them`);
  if (job.kind === 'generate') {
    const config = job.config as GenerateConfig;
    return { kind: job.kind, config, handler: generateHandler(db, jobId, config) };
  }
  const config = job.config as LabelConfig;
  return { kind: job.kind, config, handler: labelHandler(db, jobId, config) };
}

/** Runs or resumes a stored job until every request is done or has failed once more. */
export async function runPolicyJob(db: Db, jobId: number, opts: RunPolicyJobOptions = {}): Promise<JobProgress> {
  const { config, handler } = handlerFor(db, jobId);
  const client =
    opts.chatClient ??
    createChatClient(
      resolveEndpoint({ baseUrl: opts.baseUrl ?? config.endpoint.baseUrl, model: config.endpoint.model, apiKey: opts.apiKey }),
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
