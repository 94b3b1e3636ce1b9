import type { EvaluationDetail, EvaluationSummary, StudioEvent } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

/** A run's evaluations on its page: the list, the one shown, and an evaluation in progress. */
export class EvaluationState {
  list = $state<EvaluationSummary[]>([]);
  shown = $state<EvaluationDetail | null>(null);
  aggregations = $state<readonly string[]>([]);
  agg = $state('logodds');
  /** an evaluation of this run in progress (from this page or another) */
  progress = $state<{ done: number; total: number } | null>(null);
  running = $state(false);

  constructor(
    private readonly app: AppState,
    readonly runId: number,
  ) {}

  start(): () => void {
    const off = this.app.onEvent((e: StudioEvent) => {
      if (e.type !== 'eval-progress' || e.runId !== this.runId) return;
      this.progress = { done: e.done, total: e.total };
      // Another window's evaluation finished: show it.
      if (e.done >= e.total && !this.running) setTimeout(() => void this.refresh(), 300);
    });
    void this.refresh();
    void this.app.attempt('Loading aggregations', async () => {
      this.aggregations = (await this.app.api.runDefaults()).aggregations;
    });
    return off;
  }

  async refresh(): Promise<void> {
    const list = await this.app.attempt('Loading evaluations', () => this.app.api.listEvaluations({ runId: this.runId }));
    if (!list) return;
    this.list = list;
    if (!list.length) this.shown = null;
    else if (!this.shown || !list.some((e) => e.evaluationId === this.shown!.evaluationId)) await this.show(list[0].evaluationId);
    if (!this.running && this.progress && this.progress.done >= this.progress.total) this.progress = null;
  }

  async show(evaluationId: number): Promise<void> {
    const e = await this.app.attempt('Loading the evaluation', () => this.app.api.getEvaluation({ evaluationId }));
    if (e) this.shown = e;
  }

  async evaluate(): Promise<void> {
    this.running = true;
    this.progress = { done: 0, total: 0 };
    const e = await this.app.attempt('Evaluating', () => this.app.api.evaluateRun({ runId: this.runId, agg: this.agg }));
    this.running = false;
    this.progress = null;
    if (e) {
      this.shown = e;
      const list = await this.app.attempt('Loading evaluations', () => this.app.api.listEvaluations({ runId: this.runId }));
      if (list) this.list = list;
    }
  }
}
