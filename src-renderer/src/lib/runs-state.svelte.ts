import type { RunSummary } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

/** The runs list; kept current by run-status and run-progress events. */
export class RunsState {
  runs = $state<RunSummary[]>([]);
  loaded = $state(false);
  selected = $state<number[]>([]);

  constructor(private readonly app: AppState) {}

  start(): () => void {
    void this.refresh();
    // Runs trained by another process send no events here; poll while any is running.
    const poll = setInterval(() => {
      if (this.runs.some((r) => r.status === 'running')) void this.refresh();
    }, 3000);
    const off = this.app.onEvent((e) => {
      if (e.type === 'run-status') void this.refresh();
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
    const runs = await this.app.attempt('Loading runs', () => this.app.api.listRuns());
    if (runs) this.runs = runs;
    this.loaded = true;
  }

  toggle(runId: number): void {
    this.selected = this.selected.includes(runId)
      ? this.selected.filter((id) => id !== runId)
      : [...this.selected, runId];
  }
}
