import type { EvaluationDetail, MetricPoint, RunDetail, RunSummary } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

export interface ComparedRun {
  run: RunDetail;
  metrics: MetricPoint[];
  /** the run's newest evaluation, when it has one */
  evaluation: EvaluationDetail | null;
}

/** Several runs side by side: their curves overlaid and their final numbers in one table. */
export class CompareState {
  all = $state<RunSummary[]>([]);
  compared = $state<ComparedRun[]>([]);
  loading = $state(false);

  constructor(private readonly app: AppState) {}

  async load(runIds: number[]): Promise<void> {
    this.loading = true;
    const api = this.app.api;
    const all = await this.app.attempt('Loading runs', () => api.listRuns());
    if (all) this.all = all;
    const loaded = await this.app.attempt('Loading the compared runs', () =>
      Promise.all(
        runIds.map(async (runId) => {
          const [run, metrics, evaluations] = await Promise.all([
            api.getRun({ runId }),
            api.getMetrics({ runId }),
            api.listEvaluations({ runId }),
          ]);
          const evaluation = evaluations.length ? await api.getEvaluation({ evaluationId: evaluations[0].evaluationId }) : null;
          return { run, metrics, evaluation };
        }),
      ),
    );
    this.compared = loaded ?? [];
    this.loading = false;
  }

  /** Benchmarks of the compared runs' evaluations, in name order. */
  get benchmarks(): string[] {
    return [...new Set(this.compared.flatMap((c) => c.evaluation?.benchmarks.map((b) => b.benchmark) ?? []))].sort();
  }

  /** Every domain that any compared run weighs, in name order. */
  get domains(): string[] {
    return [...new Set(this.compared.flatMap((c) => Object.keys(c.run.domainWeights)))].sort();
  }
}
