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
import type { ApiResult } from './rpc';

export type { ApiError, ApiResult } from './rpc';
export type { ImportOptions, ImportSummary, Pool } from '../types';
export type * from '../explore/types';
export type * from '../annotate/types';
export { INSTANCE_SORTS, REVIEW_FILTERS } from '../explore/types';

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

export type RunMethod = 'uniform' | 'domain' | 'instance-table' | 'instance-net';
export const RUN_METHODS: readonly RunMethod[] = ['uniform', 'domain', 'instance-table', 'instance-net'];

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
}

export interface StartRunRequest {
  method: RunMethod;
  /** overrides of the method's defaults, same flat keys as RunDefaults.defaults */
  config?: Record<string, ConfigValue>;
  name?: string;
}

export interface RunSummary {
  runId: number;
  name: string | null;
  method: RunMethod;
  status: RunStatus;
  step: number;
  totalSteps: number;
  backend: string;
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

/** Model-server jobs (generation and Monte Carlo labelling) as the app shows them. */
export type PolicyJobKind = 'generate' | 'label';
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
  pool: Pool;
  /** N (generate) or K (label) */
  samples: number;
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

export interface PlannedJob {
  job: PolicyJobInfo;
  requests: number;
  /** questions (generate) or CoTs (label) the job covers */
  items: number;
  /** questions without a ground truth: no correctness label (generate) or skipped (label) */
  withoutAnswer: number;
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
  | ({ type: 'job-progress' } & PolicyJobInfo);

/** One benchmark's row of an evaluation; every figure in percent except the AUROC. */
export interface BenchmarkRow {
  benchmark: string;
  questions: number;
  candidates: number;
  passAt1: number;
  selfConsistency: number;
  oracle: number;
  /** best-of-N accuracy of the PRM under each aggregation */
  bon: Record<string, number>;
  /** step-level AUROC in [0,1], null where the test pool has no step labels */
  stepAuroc: number | null;
}

export interface EvaluationSummary {
  evaluationId: number;
  runId: number | null;
  label: string;
  /** the aggregation reported first, whose choices the review opens on */
  agg: string;
  createdAt: string;
  seconds: number;
}

export interface EvaluationDetail extends EvaluationSummary {
  benchmarks: BenchmarkRow[];
  /** the unweighted mean over benchmarks */
  average: BenchmarkRow;
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
  /** runs a planned job in this process (one at a time); job-progress events follow */
  startJob(req: { jobId: number }): Promise<PolicyJobInfo>;
  /** runs an unfinished job again: pending and failed requests only */
  resumeJob(req: { jobId: number }): Promise<PolicyJobInfo>;
  cancelJob(req: { jobId: number }): Promise<PolicyJobInfo>;
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
  'startJob',
  'resumeJob',
  'cancelJob',
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
