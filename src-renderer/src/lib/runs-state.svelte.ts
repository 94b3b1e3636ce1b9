import type { EvaluationSummary, RunOverview, RunSummary } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';
import { filterRuns, sortRuns, type RunRow, type RunSortKey } from './runs-table';

/** The runs table; kept current by events, including runs another process started (runs-changed). */
export class RunsState {
  runs = $state<RunSummary[]>([]);
  overview = $state<Map<number, RunOverview>>(new Map());
  loaded = $state(false);
  selected = $state<number[]>([]);
  /** evaluations of PRMs served elsewhere (score jobs, import-scores), newest first */
  external = $state<EvaluationSummary[]>([]);
  sortKey = $state<RunSortKey>('runId');
  desc = $state(false);
  filter = $state('');

  constructor(private readonly app: AppState) {}

  start(): () => void {
    void this.refresh();
    // Runs trained by another process send no progress here; poll while any is running.
    const poll = setInterval(() => {
      if (this.runs.some((r) => r.status === 'running')) void this.refresh();
    }, 3000);
    const off = this.app.onEvent((e) => {
      if (e.type === 'run-status' || e.type === 'runs-changed') void this.refresh();
      else if (e.type === 'run-progress') {
        const run = this.runs.find((r) => r.runId === e.runId);
        if (!run) void this.refresh();
        else {
          run.step = e.step;
          run.totalSteps = e.totalSteps;
          run.trainLoss = e.trainLoss ?? run.trainLoss;
          run.metaLoss = e.metaLoss ?? run.metaLoss;
        }
      }
    });
    return () => {
      off();
      clearInterval(poll);
    };
  }

  async refresh(): Promise<void> {
    const [runs, overview] = await Promise.all([
      this.app.attempt('Loading runs', () => this.app.api.listRuns()),
      this.app.attempt('Loading run results', () => this.app.api.runsOverview()),
    ]);
    if (runs) this.runs = runs;
    const evaluations = await this.app.attempt('Loading evaluations', () => this.app.api.listEvaluations());
    if (evaluations) this.external = evaluations.filter((e) => e.runId === null);
    if (overview) this.overview = new Map(overview.map((o) => [o.runId, o]));
    this.selected = this.selected.filter((id) => this.runs.some((r) => r.runId === id));
    this.loaded = true;
  }

  /** The rows shown: filtered, then sorted. */
  get rows(): RunRow[] {
    const all = this.runs.map((run) => ({ run, overview: this.overview.get(run.runId) ?? null }));
    return sortRuns(filterRuns(all, this.filter), this.sortKey, this.desc);
  }

  /** A click on a column: sort by it (figures best first), or turn the order round. */
  sortBy(key: RunSortKey): void {
    if (this.sortKey === key) this.desc = !this.desc;
    else {
      this.sortKey = key;
      this.desc = key === 'bestOfN' || key === 'delta';
    }
  }

  async setTags(runId: number, tags: string[]): Promise<void> {
    const saved = await this.app.attempt('Saving tags', () => this.app.api.setRunTags({ runId, tags }));
    const o = this.overview.get(runId);
    if (saved && o) this.overview = new Map(this.overview).set(runId, { ...o, tags: saved });
  }

  toggle(runId: number): void {
    this.selected = this.selected.includes(runId)
      ? this.selected.filter((id) => id !== runId)
      : [...this.selected, runId];
  }
}
