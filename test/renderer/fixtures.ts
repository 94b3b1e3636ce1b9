/** Plain data the fake studio answers with: whole records, with the fields a test cares about given. */
import type {
  BenchmarkResult,
  CotView,
  DomainInfo,
  EvaluationDetail,
  EvaluationSummary,
  ImportSummary,
  PolicyJobInfo,
  QuestionView,
  RunDetail,
  RunDefaults,
  RunOverview,
  RunSummary,
} from '../../src-main/core/api/types';

export function runSummary(over: Partial<RunSummary> & Pick<RunSummary, 'runId'>): RunSummary {
  return {
    name: null,
    method: 'uniform',
    status: 'completed',
    step: 100,
    totalSteps: 100,
    backend: 'cpu',
    device: null,
    parityMaxAbsDiff: null,
    backendFallback: null,
    createdAt: '2025-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    seconds: 10,
    error: null,
    trainLoss: null,
    metaLoss: null,
    ...over,
  };
}

export function runDetail(over: Partial<RunDetail> & Pick<RunDetail, 'runId'>): RunDetail {
  return {
    ...runSummary(over),
    config: {},
    domainWeights: {},
    cancelRequested: false,
    lastCheckpointStep: null,
    role: 'uniform',
    coldStartFrom: null,
    inputs: [],
    ...over,
  };
}

export function overview(over: Partial<RunOverview> & Pick<RunOverview, 'runId'>): RunOverview {
  return { role: 'uniform', coldStartFrom: null, tags: [], result: null, baseline: null, ...over };
}

export function evaluationSummary(over: Partial<EvaluationSummary> & Pick<EvaluationSummary, 'evaluationId'>): EvaluationSummary {
  return { runId: 1, label: `evaluation ${over.evaluationId}`, agg: 'logodds', createdAt: '2025-01-02T00:00:00Z', seconds: 3, ...over };
}

export function benchmark(name: string): BenchmarkResult {
  const aggs = { mean: 50, logodds: 50, min: 50, max: 50, prod: 50, last: 50 };
  return { benchmark: name, questions: 4, candidates: 32, passAt1: 40, selfConsistency: 45, oracle: 90, bon: aggs, stepAuroc: null };
}

export function evaluationDetail(
  over: Partial<EvaluationDetail> & Pick<EvaluationDetail, 'evaluationId'>,
  benchmarks: string[] = ['charts'],
): EvaluationDetail {
  return {
    ...evaluationSummary(over),
    selection: 'weighted-vote',
    benchmarks: benchmarks.map(benchmark),
    average: benchmark('average'),
    tasks: [],
    skippedCandidates: 0,
    truth: null,
    ...over,
  };
}

export function domain(over: Partial<DomainInfo> & Pick<DomainInfo, 'id' | 'name'>): DomainInfo {
  return {
    pool: 'train',
    excluded: false,
    questions: 2,
    cots: 8,
    steps: 30,
    labelledSteps: 30,
    meanLabel: 0.5,
    humanLabels: 0,
    judgedCots: 8,
    correctCots: 4,
    images: 0,
    ...over,
  };
}

export function importSummary(over: Partial<ImportSummary> = {}): ImportSummary {
  return {
    file: 'cots.jsonl',
    format: 'jsonl',
    records: 3,
    imported: 3,
    rejected: 0,
    questions: 1,
    cots: 3,
    steps: 9,
    domains: { charts: 3 },
    missingImages: 0,
    refusedImages: 0,
    errors: [],
    status: 'complete',
    skipped: [],
    conflicts: [],
    onConflict: 'keep',
    missingImageExamples: [],
    ...over,
  };
}

export function job(over: Partial<PolicyJobInfo> & Pick<PolicyJobInfo, 'jobId'>): PolicyJobInfo {
  return {
    kind: 'generate',
    status: 'pending',
    pool: 'train',
    samples: 4,
    detail: 'N=4',
    note: null,
    evaluationId: null,
    baseUrl: 'http://models.example:8000/v1',
    model: 'policy',
    counters: { total: 10, done: 0, failed: 0, pending: 10, promptTokens: 0, completionTokens: 0 },
    cost: null,
    requestsPerSecond: null,
    etaSeconds: null,
    runningHere: false,
    sessionRequests: null,
    error: null,
    createdAt: '2025-01-03T00:00:00Z',
    finishedAt: null,
    ...over,
  };
}

/** A CoT whose steps carry these labels (Monte Carlo m, or a human label where given). */
export function cot(cotId: number, steps: { mc?: number | null; human?: 0 | 1 | null }[] = [{ mc: 1 }]): CotView {
  return {
    cotId,
    extId: `cot-${cotId}`,
    answer: '4',
    correct: null,
    correctBy: null,
    promotedTo: null,
    steps: steps.map((s, idx) => ({
      idx,
      text: `step ${idx}`,
      mc: s.mc ?? null,
      k: null,
      human: s.human ?? null,
      humanBy: null,
      humanAt: null,
      source: s.human != null ? 'human' : 'monte-carlo',
    })),
  };
}

export function question(questionId: number): QuestionView {
  return { questionId, extId: `q${questionId}`, domain: 'charts', pool: 'test', text: `question ${questionId}`, answer: '4', imageIds: [], missingImages: 0 };
}

/** Run defaults with every method's reference values and the form fields given. */
export function runDefaults(over: Partial<RunDefaults> = {}): RunDefaults {
  const base = { steps: 400, lr: 0.001, metaSource: 'meta' };
  return {
    methods: ['uniform', 'domain', 'instance-table', 'instance-net', 's1', 'car'],
    defaults: {
      uniform: { ...base },
      domain: { ...base, 'upper.metaLr': 0.01 },
      'instance-table': { ...base },
      'instance-net': { ...base },
      s1: { ...base },
      car: { ...base },
    },
    fields: [],
    backend: { name: 'cpu', note: null },
    aggregations: ['mean', 'logodds', 'min'],
    stepVectors: { pools: [], dims: [] },
    ...over,
  };
}
