/**
 * The one typed API of DreamPRM Studio. Implemented once over the core (studio.ts) and reached
 * three ways: in-process, over Electron IPC and over HTTP + WebSocket (`dreamprm serve`).
 *
 * This file is shared with the renderer's typecheck: plain data types only, no Node imports.
 * Every method takes at most one argument object, so a call is always `(method, args)`.
 */
import type { ImportOptions, ImportSummary, Pool } from '../types';
import type {
  CotScores,
  DomainHistograms,
  ExplorerInfo,
  InstanceDetail,
  InstancePage,
  InstanceQuery,
  ReviewFilter,
  ReviewIndex,
  ReviewQuestion,
} from '../explore/types';
import type {
  AnnotateRequest,
  AnnotationExport,
  AnnotationResult,
  AnnotationStats,
  PromoteResult,
  Settings,
  UndoResult,
} from '../annotate/types';
import type {
  BrowsePage,
  BrowseQuestion,
  DeletionKind,
  DeletionPlan,
  DeletionResult,
  RunOverview,
  RunRole,
} from '../manage/types';
import type { ApiResult } from './rpc';
import type { Method } from '../../../src-shared/training';
import type { AggName, BenchmarkResult, SelectionMode } from '../../../src-shared/evaluation';
import type { BackendChoice } from '../../../src-shared/training';

export type { ApiError, ApiResult } from './rpc';
export type { ImportOptions, ImportSummary, Pool } from '../types';
export type * from '../explore/types';
export type * from '../annotate/types';
export type * from '../manage/types';
export { INSTANCE_SORTS, REVIEW_FILTERS } from '../explore/types';
export { DELETION_KINDS } from '../manage/types';

export interface StudioInfo {
  version: string;
  dbPath: string;
  /** the tensor backend training uses here, and what a faster one would need */
  backend: BackendInfo;
  /** numbers that tell whether the database holds anything yet */
  counts: { sources: number; domains: number; cots: number; runs: number };
}

export interface BackendInfo {
  name: string;
  /** what the latest run computed on (GPU name, WebGPU adapter, CPU), when one has run */
  device?: string | null;
  /** a sentence on a faster backend that is missing, or null when the best one is in use */
  note: string | null;
}

export interface SourceInfo {
  id: number;
  path: string;
  format: string;
  pool: Pool;
  importedAt: string;
  cots: number;
  missingImages: number;
}

export interface DomainInfo {
  id: number;
  name: string;
  pool: Pool;
  excluded: boolean;
  questions: number;
  cots: number;
  steps: number;
  /** steps that carry a Monte Carlo label */
  labelledSteps: number;
  /** mean Monte Carlo label m over labelled steps, null when none */
  meanLabel: number | null;
  /** steps with a human +/- label */
  humanLabels: number;
  /** CoTs with a correct/incorrect label, and how many of those are correct */
  judgedCots: number;
  correctCots: number;
  images: number;
}

export interface ImportRequest {
  path: string;
  options?: ImportOptions;
  /** chosen by the caller so it can match the import-progress events to its request */
  jobId?: string;
}

export interface SampleRequest {
  seed?: number;
  jobId?: string;
}

export interface SampleResult {
  dir: string;
  summary: ImportSummary;
  /** true when the sample was already in this database and nothing was imported */
  alreadyLoaded: boolean;
}

export type RunMethod = Method;

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** A field of the run configuration as the new-run form shows it. */
export interface ConfigField {
  /** flat key of the run configuration, e.g. "upper.metaLr" */
  key: string;
  label: string;
  /** 'run': the id of a completed run, or null for none */
  kind: 'number' | 'integer' | 'choice' | 'boolean' | 'run';
  choices?: readonly string[];
  min?: number;
  max?: number;
  help: string;
  /** the methods that use this field (all when absent) */
  methods?: readonly RunMethod[];
  /** 'step-vectors': shown only when the train pool's steps carry vectors (the features PRM) */
  needs?: 'step-vectors';
}

export type ConfigValue = number | string | boolean | null;

export interface RunDefaults {
  methods: readonly RunMethod[];
  /** the reference defaults per method, as a flat key → value record */
  defaults: Record<RunMethod, Record<string, ConfigValue>>;
  /** the fields worth showing in a form, in order */
  fields: readonly ConfigField[];
  backend: BackendInfo;
  /** how a CoT's step scores become one score, for evaluations */
  aggregations: readonly string[];
  /** the step vectors in the data: what the features PRM needs */
  stepVectors: StepVectorInfo;
}

/** How many steps of each pool carry a vector (from an embed job or imported), and their lengths; empty when none does. */
export interface StepVectorInfo {
  pools: { pool: Pool; steps: number; withVector: number }[];
  /** the vector lengths found (one, unless vectors of different models are mixed) */
  dims: number[];
}

export interface StartRunRequest {
  method: RunMethod;
  /** overrides of the method's defaults, same flat keys as RunDefaults.defaults */
  config?: Record<string, ConfigValue>;
  name?: string;
  /** the tensor backend to ask for (default auto) */
  backend?: BackendChoice;
}

export interface RunSummary {
  runId: number;
  name: string | null;
  method: RunMethod;
  status: RunStatus;
  step: number;
  totalSteps: number;
  backend: string;
  /** what computed: GPU name, WebGPU adapter or CPU (null: not started yet, or an older run) */
  device?: string | null;
  /** largest |backend − cpu| of the start-up parity check (null on cpu) */
  parityMaxAbsDiff?: number | null;
  /** why the backend asked for is not the one used */
  backendFallback?: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** training wall time so far, summed over resumes */
  seconds: number;
  error: string | null;
  trainLoss: number | null;
  metaLoss: number | null;
}

/** CoTs of one pool and domain that a run was started with (recorded when it started). */
export interface RunInput {
  pool: Pool;
  domain: string;
  cots: number;
  /** steps with a human label among them */
  humanSteps: number;
}

export interface RunDetail extends RunSummary {
  config: Record<string, unknown>;
  /** what the run is in a comparison (baseline, ablation, upper bound, …) */
  role: RunRole;
  /** the run whose PRM it started from, when any */
  coldStartFrom: number | null;
  /** empty for runs started before inputs were recorded, or outside the app */
  inputs: RunInput[];
  /** domain → latest weight (1 for every domain of a uniform run) */
  domainWeights: Record<string, number>;
  cancelRequested: boolean;
  lastCheckpointStep: number | null;
}

export interface MetricPoint {
  step: number;
  trainLoss: number | null;
  weightedLoss: number | null;
  metaLoss: number | null;
  lr: number | null;
  /** training steps per second around this step */
  throughput: number | null;
}

export interface DomainWeightPoint {
  step: number;
  weights: Record<string, number>;
}

export interface WeightHistogram {
  /** the snapshot's training step, null when the run has none */
  step: number | null;
  instances: number;
  /** equal-width bins from min to max */
  edges: number[];
  counts: number[];
}

export interface RunProgress {
  runId: number;
  step: number;
  totalSteps: number;
  trainLoss: number | null;
  weightedLoss: number | null;
  metaLoss: number | null;
  domainWeights: Record<string, number> | null;
  stepsPerSecond: number | null;
  etaSeconds: number | null;
}

/** Model-server jobs (generation, Monte Carlo labelling, step embeddings, external PRM scores) as the app shows them. */
export type PolicyJobKind = 'generate' | 'label' | 'embed' | 'score';
export type PolicyJobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface PolicyJobCounters {
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
  kind: PolicyJobKind;
  status: PolicyJobStatus;
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
  counters: PolicyJobCounters;
  /** estimated from the token counts when the job was planned with a price, else null */
  cost: number | null;
  /** requests finished per second in the running session, null when not running here */
  requestsPerSecond: number | null;
  etaSeconds: number | null;
  /** true while this process runs the job (cancel stops it at once) */
  runningHere: boolean;
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
}

export interface LaunchJobRequest {
  jobId: number;
  /** the job's own base URL, sent once the user confirmed its host: consent for this process */
  trustBaseUrl?: string;
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
}

export type StudioEvent =
  | {
      type: 'import-progress';
      jobId: string | null;
      phase: 'generating' | 'reading';
      file: string;
      bytesRead: number;
      bytesTotal: number;
      records: number;
    }
  | ({ type: 'run-progress' } & RunProgress)
  | { type: 'run-status'; runId: number; status: RunStatus; error: string | null }
  | { type: 'eval-progress'; jobId: string | null; runId: number; done: number; total: number }
  | { type: 'explore-progress'; runId: number; phase: 'rows' | 'indexes' | 'losses'; done: number; total: number }
  | ({ type: 'job-progress' } & PolicyJobInfo)
  /** runs were added, deleted or changed status, possibly by another process (the CLI) */
  | { type: 'runs-changed' };

/** One benchmark's row of an evaluation; every figure in percent except the AUROC. */
/** A benchmark's (or task's, or the average's) best-of-N figures: the engine's own type. */
export type BenchmarkRow = BenchmarkResult;

export interface EvaluationSummary {
  evaluationId: number;
  runId: number | null;
  label: string;
  /** the aggregation reported first, whose choices the review opens on */
  agg: AggName;
  createdAt: string;
  seconds: number;
}

export interface EvaluationDetail extends EvaluationSummary {
  /** the selection mode the headline figures use (weighted vote; absent before modes existed) */
  selection: SelectionMode | null;
  benchmarks: BenchmarkRow[];
  /** the unweighted mean over benchmarks */
  average: BenchmarkRow;
  /** per task, where the test questions say their task */
  tasks: BenchmarkRow[];
  skippedCandidates: number;
  /** learned domain weights against the sample's known domain quality, when it is known */
  truth: {
    truthFile: string;
    spearman: number | null;
    domains: { domain: string; weight: number; quality: number }[];
  } | null;
}

export interface EvaluateRequest {
  runId: number;
  agg?: string;
  /** chosen by the caller to match eval-progress events to its request */
  jobId?: string;
}

export interface StudioApi {
  info(): Promise<StudioInfo>;

  importFile(req: ImportRequest): Promise<ImportSummary>;
  loadSample(req: SampleRequest): Promise<SampleResult>;
  listSources(): Promise<SourceInfo[]>;

  listDomains(): Promise<DomainInfo[]>;
  renameDomain(req: { domainId: number; name: string }): Promise<DomainInfo>;
  /** moves every question of `sourceIds` into `targetId` and deletes the emptied domains */
  mergeDomains(req: { targetId: number; sourceIds: number[] }): Promise<DomainInfo>;
  setDomainExcluded(req: { domainId: number; excluded: boolean }): Promise<DomainInfo>;
  moveDomainToPool(req: { domainId: number; pool: Pool }): Promise<DomainInfo>;
  /** ids of images to show as thumbnails for a domain; fetch them by id */
  sampleImageIds(req: { domainId: number; limit?: number }): Promise<number[]>;

  runDefaults(): Promise<RunDefaults>;
  startRun(req: StartRunRequest): Promise<RunSummary>;
  listRuns(): Promise<RunSummary[]>;
  getRun(req: { runId: number }): Promise<RunDetail>;
  getMetrics(req: { runId: number; sinceStep?: number }): Promise<MetricPoint[]>;
  getDomainWeights(req: { runId: number }): Promise<DomainWeightPoint[]>;
  getWeightHistogram(req: { runId: number; bins?: number }): Promise<WeightHistogram>;
  cancelRun(req: { runId: number }): Promise<RunSummary>;
  resumeRun(req: { runId: number }): Promise<RunSummary>;

  /** best-of-N evaluation of a run's PRM on the test pool, in the training worker; stored */
  evaluateRun(req: EvaluateRequest): Promise<EvaluationDetail>;
  listEvaluations(req?: { runId?: number }): Promise<EvaluationSummary[]>;
  getEvaluation(req: { evaluationId: number }): Promise<EvaluationDetail>;

  /** the run's instance table, built from its snapshots on first use (explore-progress events) */
  explorerInfo(req: { runId: number; rebuild?: boolean }): Promise<ExplorerInfo>;
  explorerPage(req: { runId: number; query: Partial<InstanceQuery>; withTotal?: boolean }): Promise<InstancePage>;
  explorerHistograms(req: { runId: number; bins?: number }): Promise<DomainHistograms>;
  getInstance(req: { runId: number; idx: number }): Promise<InstanceDetail>;
  /** per-step scores of a CoT by the run's latest PRM, computed in the training worker */
  scoreCot(req: { runId: number; cotId: number }): Promise<CotScores>;
  /** fills the explorer's loss column: every instance scored by the run's latest PRM (explore-progress 'losses') */
  computeLosses(req: { runId: number }): Promise<ExplorerInfo>;

  reviewIndex(req: { evaluationId: number; filter?: ReviewFilter; otherEvaluationId?: number | null; agg?: string }): Promise<ReviewIndex>;
  reviewQuestion(req: { evaluationId: number; questionId: number; otherEvaluationId?: number | null; agg?: string }): Promise<ReviewQuestion>;

  getSettings(): Promise<Settings>;
  setSettings(req: { annotator: string | null }): Promise<Settings>;
  annotate(req: AnnotateRequest): Promise<AnnotationResult>;
  /** takes back the newest live annotation */
  undoAnnotation(): Promise<UndoResult>;
  annotationStats(req?: { recent?: number }): Promise<AnnotationStats>;
  /** copies human-judged CoTs (default: every annotated one) into the meta pool's "annotated" domain */
  promoteToMeta(req?: { cotIds?: number[] }): Promise<PromoteResult>;
  exportAnnotations(req?: { all?: boolean }): Promise<AnnotationExport>;

  getModelServer(): Promise<ModelServerSettings>;
  setModelServer(req: ModelServerUpdate): Promise<ModelServerSettings>;
  /** model-server jobs, newest first, with progress, tokens and cost */
  listJobs(): Promise<PolicyJobInfo[]>;
  planGenerate(req: PlanJobRequest & { n: number }): Promise<PlannedJob>;
  planLabel(req: PlanJobRequest & { k: number }): Promise<PlannedJob>;
  /** an embed job (items: steps); the features PRM trains on what it stores */
  planEmbed(req: PlanEmbedRequest): Promise<PlannedJob>;
  /** a score job (items: test candidates); completed, it stores an evaluation (evaluationId) */
  planScore(req: PlanScoreRequest): Promise<PlannedJob>;
  /**
   * Runs a planned job in this process (one at a time); job-progress events follow. A job whose
   * server was not named in this process fails with UntrustedServerError until the user confirms
   * it: `trustBaseUrl` repeats the job's base URL as that consent.
   */
  startJob(req: LaunchJobRequest): Promise<PolicyJobInfo>;
  /** runs an unfinished job again: pending and failed requests only (consent as for startJob) */
  resumeJob(req: LaunchJobRequest): Promise<PolicyJobInfo>;
  cancelJob(req: { jobId: number }): Promise<PolicyJobInfo>;

  /** what deleting an import (source), a domain, a run or an evaluation would remove */
  planDeletion(req: { kind: DeletionKind; id: number }): Promise<DeletionPlan>;
  /** deletes it and everything its plan lists, in one transaction */
  deleteItem(req: { kind: DeletionKind; id: number }): Promise<DeletionResult>;
  /** a domain's questions, a page at a time, outside any run */
  browseDomain(req: { domainId: number; offset?: number; limit?: number; search?: string | null }): Promise<BrowsePage>;
  /** a question with every CoT and its labels */
  browseQuestion(req: { questionId: number }): Promise<BrowseQuestion>;
  /** every run's role, tags, latest best-of-N and difference from its compute-matched baseline */
  runsOverview(): Promise<RunOverview[]>;
  /** replaces a run's tags; returns them cleaned (trimmed, lower-case, unique) */
  setRunTags(req: { runId: number; tags: string[] }): Promise<string[]>;
}

export type ApiMethod = keyof StudioApi;

/**
 * The runtime list of methods, checked against the interface both ways: a method missing here
 * or a name that is not a method fails the build.
 */
export const API_METHODS = [
  'info',
  'importFile',
  'loadSample',
  'listSources',
  'listDomains',
  'renameDomain',
  'mergeDomains',
  'setDomainExcluded',
  'moveDomainToPool',
  'sampleImageIds',
  'runDefaults',
  'startRun',
  'listRuns',
  'getRun',
  'getMetrics',
  'getDomainWeights',
  'getWeightHistogram',
  'cancelRun',
  'resumeRun',
  'evaluateRun',
  'listEvaluations',
  'getEvaluation',
  'explorerInfo',
  'explorerPage',
  'explorerHistograms',
  'getInstance',
  'scoreCot',
  'computeLosses',
  'reviewIndex',
  'reviewQuestion',
  'getSettings',
  'setSettings',
  'annotate',
  'undoAnnotation',
  'annotationStats',
  'promoteToMeta',
  'exportAnnotations',
  'getModelServer',
  'setModelServer',
  'listJobs',
  'planGenerate',
  'planLabel',
  'planEmbed',
  'planScore',
  'startJob',
  'resumeJob',
  'cancelJob',
  'planDeletion',
  'deleteItem',
  'browseDomain',
  'browseQuestion',
  'runsOverview',
  'setRunTags',
] as const satisfies readonly ApiMethod[];

type Missing = Exclude<ApiMethod, (typeof API_METHODS)[number]>;
// If this line fails to compile, a method of StudioApi is missing from API_METHODS.
export const API_METHODS_COMPLETE: Missing extends never ? true : Missing = true;

export type ArgsOf<M extends ApiMethod> = Parameters<StudioApi[M]>;
export type ValueOf<M extends ApiMethod> = Awaited<ReturnType<StudioApi[M]>>;

/** What a transport carries back for one call. */
export type ResultOf<M extends ApiMethod> = ApiResult<ValueOf<M>>;

/** The client view: every method of the API, derived from it, so renames break the build. */
export type StudioClient = { [M in ApiMethod]: (...args: ArgsOf<M>) => Promise<ValueOf<M>> };

/** The raw transport both the preload and the HTTP client provide. */
export interface Transport {
  invoke<M extends ApiMethod>(method: M, args: ArgsOf<M>[0]): Promise<ResultOf<M>>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
}

/**
 * What the Electron preload exposes as `window.dreamprm`: the transport plus the two things
 * only a desktop shell can do. Nothing else of Electron reaches the page.
 */
export interface DreamprmBridge extends Transport {
  /** opens the native file dialog; the chosen path, or null when cancelled */
  pickImportFile(): Promise<string | null>;
  /** the filesystem path of a file dropped onto the window ('' when it has none) */
  pathForFile(file: Blob): string;
}

/** Images by id inside the desktop app: dreamprm-image://images/<id>[?thumb=1]. */
export const IMAGE_SCHEME = 'dreamprm-image';
export const IMAGE_HOST = 'images';
