/**
 * The methods of the typed API (StudioApi), their runtime list, and the argument and result
 * types derived from them for transports and clients.
 */
import type { DomainInfo, ImportRequest, ImportSummary, Pool, SampleRequest, SampleResult, SourceInfo, StudioInfo } from '../../../src-shared/data';
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
import type { BrowsePage, BrowseQuestion, DeletionKind, DeletionPlan, DeletionResult, RunOverview } from '../manage/types';
import type { ApiResult } from './rpc';
import type {
  DomainWeightPoint,
  MetricPoint,
  RunDefaults,
  RunDetail,
  RunSummary,
  StartRunRequest,
  WeightHistogram,
} from '../../../src-shared/runs';
import type { BackendChoice } from '../../../src-shared/training';
import type { EvaluateRequest, EvaluationDetail, EvaluationSummary } from '../../../src-shared/evaluation';
import type {
  LaunchJobRequest,
  ModelServerSettings,
  ModelServerUpdate,
  PlanEmbedRequest,
  PlanJobRequest,
  PlanLabelRequest,
  PlannedJob,
  PlanScoreRequest,
  PolicyJobInfo,
} from '../../../src-shared/jobs';

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
  /** backend: another tensor backend than the run's own (default: the run's) */
  resumeRun(req: { runId: number; backend?: BackendChoice }): Promise<RunSummary>;

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
  planLabel(req: PlanLabelRequest): Promise<PlannedJob>;
  /** an embed job (items: steps); the features PRM trains on what it stores */
  planEmbed(req: PlanEmbedRequest): Promise<PlannedJob>;
  /** a score job (items: test candidates); completed, it stores an evaluation (evaluationId) */
  planScore(req: PlanScoreRequest): Promise<PlannedJob>;
  /**
   * Runs a planned job in this process (one at a time); job-progress events follow. A job whose
   * server was not named in this process fails with UntrustedServerError until the user confirms
   * it: `trustBaseUrl` repeats the job's base URL as that consent; `baseUrl` (the CLI's) names
   * another server for this run instead. job-retry events say when a request is retried.
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
