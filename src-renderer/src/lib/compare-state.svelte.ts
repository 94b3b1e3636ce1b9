import type { MetricPoint, RunDetail, RunSummary } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

export interface ComparedRun {
  run: RunDetail;
  metrics: MetricPoint[];
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
        runIds.map(async (runId) => ({
          run: await api.getRun({ runId }),
          metrics: await api.getMetrics({ runId }),
        })),
      ),
    );
    this.compared = loaded ?? [];
    this.loading = false;
  }

  /** Every domain that any compared run weighs, in name order. */
  get domains(): string[] {
    return [...new Set(this.compared.flatMap((c) => Object.keys(c.run.domainWeights)))].sort();
  }
}
