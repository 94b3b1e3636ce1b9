import type { EvaluationDetail, MetricPoint, RunDetail, RunOverview, RunSummary } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

export interface ComparedRun {
  run: RunDetail;
  metrics: MetricPoint[];
  /** the run's newest evaluation, when it has one */
  evaluation: EvaluationDetail | null;
  /** the run it continues (coldStart.fromRun) and the steps that run trained, or null */
  parent: { runId: number; steps: number } | null;
  /** the image-blind ablation (model.image false): the method alone would hide it */
  textOnly: boolean;
}

/** What a stored config says about cold start and the image; old or odd configs count as neither. */
export function lineage(config: Record<string, unknown>, all: RunSummary[]): Pick<ComparedRun, 'parent' | 'textOnly'> {
  const cold = config.coldStart as { fromRun?: unknown } | undefined;
  const from = typeof cold?.fromRun === 'number' ? cold.fromRun : null;
  const model = config.model as { image?: unknown } | undefined;
  return {
    parent: from === null ? null : { runId: from, steps: all.find((r) => r.runId === from)?.step ?? 0 },
    textOnly: model?.image === false,
  };
}

/** "uniform · text-only" for the ablation; the method alone otherwise. */
export function methodLabel(c: Pick<ComparedRun, 'run' | 'textOnly'>): string {
  return c.textOnly ? `${c.run.method} · text-only` : c.run.method;
}

/** External PRMs (a score job, import-scores) shown beside the runs, newest first. */
const EXTERNAL_SHOWN = 5;

/** Several runs side by side: their curves overlaid and their final numbers in one table. */
export class CompareState {
  all = $state<RunSummary[]>([]);
  compared = $state<ComparedRun[]>([]);
  /** evaluations of PRMs served elsewhere: no run, the same figures */
  external = $state<EvaluationDetail[]>([]);
  /** every run's role and gain over its compute-matched baseline, by run id */
  overview = $state<Map<number, RunOverview>>(new Map());
  loading = $state(false);

  constructor(private readonly app: AppState) {}

  async load(runIds: number[]): Promise<void> {
    this.loading = true;
    const api = this.app.api;
    const all = await this.app.attempt('Loading runs', () => api.listRuns());
    if (all) this.all = all;
    const overview = await this.app.attempt('Loading run results', () => api.runsOverview());
    if (overview) this.overview = new Map(overview.map((o) => [o.runId, o]));
    const loaded = await this.app.attempt('Loading the compared runs', () =>
      Promise.all(
        runIds.map(async (runId) => {
          const [run, metrics, evaluations] = await Promise.all([
            api.getRun({ runId }),
            api.getMetrics({ runId }),
            api.listEvaluations({ runId }),
          ]);
          const evaluation = evaluations.length ? await api.getEvaluation({ evaluationId: evaluations[0].evaluationId }) : null;
          return { run, metrics, evaluation, ...lineage(run.config, this.all) };
        }),
      ),
    );
    this.compared = loaded ?? [];
    const external = await this.app.attempt('Loading the external PRMs\' evaluations', async () => {
      const list = (await api.listEvaluations()).filter((e) => e.runId === null).slice(0, EXTERNAL_SHOWN);
      return Promise.all(list.map((e) => api.getEvaluation({ evaluationId: e.evaluationId })));
    });
    this.external = external ?? [];
    this.loading = false;
  }

  /** Benchmarks of the compared runs' evaluations, in name order. */
  get benchmarks(): string[] {
    const evaluations = [...this.compared.map((c) => c.evaluation), ...this.external];
    return [...new Set(evaluations.flatMap((e) => e?.benchmarks.map((b) => b.benchmark) ?? []))].sort();
  }

  /** Every domain that any compared run weighs, in name order. */
  get domains(): string[] {
    return [...new Set(this.compared.flatMap((c) => Object.keys(c.run.domainWeights)))].sort();
  }
}
