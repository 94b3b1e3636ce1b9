/**
 * Model-server jobs as plain data: their kinds, statuses and counters as the store keeps them
 * (store/jobs-store.ts), the model-server settings, and planning, launching and following jobs
 * as the API sends them. Declared once, here.
 */
import type { Pool } from './data';
import type { AggName } from './evaluation';

/** Model-server jobs: generation, Monte Carlo labelling, step embeddings, external PRM scores. */
export type JobKind = 'generate' | 'label' | 'embed' | 'score';
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** Counts over a job's requests: what the progress bar and the cost estimate read. */
export interface RequestCounters {
  total: number;
  done: number;
  failed: number;
  pending: number;
  promptTokens: number;
  completionTokens: number;
}

/** One job's progress and counters, as listJobs returns it and job-progress events carry it. */
export interface PolicyJobInfo {
  jobId: number;
  kind: JobKind;
  status: JobStatus;
  /** the pool, or the pools an embed job covers joined with "+" */
  pool: string;
  /** N (generate) or K (label); 0 for embed and score */
  samples: number;
  /** the job in a few words: "N=4", "text + images", "generative PRM · <label>" */
  detail: string;
  /** what to know about it, e.g. that a text-only server did not get the images */
  note: string | null;
  /** the evaluation a completed score job stored (the "external PRM" row) */
  evaluationId: number | null;
  baseUrl: string;
  model: string;
  counters: RequestCounters;
  /** estimated from the token counts when the job was planned with a price, else null */
  cost: number | null;
  /** requests finished per second in the running session, null when not running here */
  requestsPerSecond: number | null;
  etaSeconds: number | null;
  /** true while this process runs the job (cancel stops it at once) */
  runningHere: boolean;
  /** requests finished (done or failed) by this process's current or just-ended run of it; null when it has not run here */
  sessionRequests: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** The model server the app plans jobs against. The API key is never stored in the database. */
export interface ModelServerSettings {
  baseUrl: string | null;
  model: string | null;
  /** price per 1,000 prompt / completion tokens, for the cost estimate */
  pricePromptPer1k: number | null;
  priceCompletionPer1k: number | null;
  concurrency: number;
  /** 'session': given in the app and kept in the serving process's memory only; 'environment': DREAMPRM_API_KEY or OPENAI_API_KEY */
  apiKeySource: 'session' | 'environment' | null;
}

export interface ModelServerUpdate {
  baseUrl?: string | null;
  model?: string | null;
  pricePromptPer1k?: number | null;
  priceCompletionPer1k?: number | null;
  concurrency?: number;
  /** kept in memory for this session only; null forgets it */
  apiKey?: string | null;
}

/** Settings of a new job; endpoint, prices and concurrency default to the model-server settings. */
export interface PlanJobRequest {
  pool?: Pool;
  baseUrl?: string;
  model?: string;
  pricePromptPer1k?: number | null;
  priceCompletionPer1k?: number | null;
  concurrency?: number;
  /** completions per HTTP request (1 for servers that ignore `n`); default all */
  perRequest?: number;
  /** at most this many questions (generate) or CoTs (label) */
  limit?: number;
  /** only these domains of the pool (default: every non-excluded one) */
  domains?: string[];
  /** sampling temperature (default 0.7) and completion length limit (default 1024) */
  temperature?: number;
  maxTokens?: number;
  /** prompt templates' text (the CLI reads them from files); default: five-step structural thinking */
  templates?: { solve?: string; continue?: string };
  /** tolerances when comparing numeric answers */
  relTol?: number;
  absTol?: number;
  /** a question whose image was missing at import: fail its requests (default), or send the text alone */
  missingImages?: 'fail' | 'omit';
}

/** A label job also takes K, and whether to label steps that already have a Monte Carlo label. */
export interface PlanLabelRequest extends PlanJobRequest {
  k: number;
  relabel?: boolean;
}

/** An embed job: a vector per step of the pools (default all three) from `{baseUrl}/embeddings`. */
export interface PlanEmbedRequest {
  /** default: the model-server settings' URL; embedding models are often served apart */
  baseUrl?: string;
  model: string;
  pools?: Pool[];
  /** the server takes text only (Ollama, TEI): send the text, not the images */
  textOnly?: boolean;
  /** steps per request for text-only servers (default 32) */
  perRequest?: number;
  /** only steps without a vector (default: every step) */
  missingOnly?: boolean;
  dimensions?: number;
  pricePromptPer1k?: number | null;
  concurrency?: number;
  limit?: number;
  /** the input template's text, with {question} and {prefix} */
  template?: string;
  missingImages?: 'fail' | 'omit';
}

/** A score job: every test candidate scored by an external PRM, stored as an evaluation. */
export interface PlanScoreRequest {
  baseUrl?: string;
  model: string;
  /** 'generative': P("+") from chat logprobs (VisualPRM); 'reward': per-step rewards from the pooling API */
  mode: 'generative' | 'reward';
  textOnly?: boolean;
  /** the evaluation's name (default "external PRM: <model>") */
  label?: string;
  pricePromptPer1k?: number | null;
  priceCompletionPer1k?: number | null;
  concurrency?: number;
  /** the system turn's text (default: VisualPRM's instruction, or Qwen2.5-Math-PRM's) */
  system?: string;
  /** generative: the answers for a good and a bad step ("+", "-"), alternatives asked per token (20) */
  goodToken?: string;
  badToken?: string;
  topLogprobs?: number;
  /** reward: the tag after each step, the pooling API's path, and the "task" sent with it */
  stepTag?: string;
  rewardPath?: string;
  poolingTask?: string | null;
  /** the aggregation the evaluation reports first (default logodds) */
  agg?: AggName;
  missingImages?: 'fail' | 'omit';
}

export interface LaunchJobRequest {
  jobId: number;
  /** the job's own base URL, sent once the user confirmed its host: consent for this process */
  trustBaseUrl?: string;
  /**
   * The server the user named for this run (the CLI's --base-url or environment), typed by
   * them and never read from the database: the job's requests go there instead of its stored
   * server, and it counts as named in this process.
   */
  baseUrl?: string;
  /** requests in flight (default: as planned here, else the settings'), retries per request and per-attempt timeout */
  concurrency?: number;
  retries?: number;
  timeoutSeconds?: number;
}

export interface PlannedJob {
  job: PolicyJobInfo;
  requests: number;
  /** questions (generate), CoTs (label), steps (embed) or test candidates (score) the job covers */
  items: number;
  /** questions without a ground truth: no correctness label (generate) or skipped (label); score: candidates without a correctness label, left out */
  withoutAnswer: number;
  /** embed: characters / 4 of the text to send, and its price when one is set */
  estimatedTokens?: number;
  estimatedCost?: number | null;
  /** label: steps labelled by rollouts; score: steps asked about */
  steps?: number;
  /** label: final-answer steps labelled at once by checking the answer */
  finalSteps?: number;
  /** embed: the CoTs whose steps are embedded, and the images sent (or left out when text only) */
  cots?: number;
  images?: number;
}
