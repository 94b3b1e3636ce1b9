import type {
  DomainWeightPoint,
  MetricPoint,
  RunDetail,
  RunProgress,
  StudioEvent,
  WeightHistogram,
} from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

/** Slowest refresh of the stored series while a run streams progress. */
const REFRESH_MS = 1000;
/** How often a running run without events is re-read. */
const POLL_MS = 2000;

/** One run's page: its record, metric series, weights and live progress. */
export class RunView {
  run = $state<RunDetail | null>(null);
  metrics = $state<MetricPoint[]>([]);
  weights = $state<DomainWeightPoint[]>([]);
  histogram = $state<WeightHistogram | null>(null);
  live = $state<RunProgress | null>(null);
  missing = $state<string | null>(null);
  acting = $state(false);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastRefresh = 0;

  constructor(
    private readonly app: AppState,
    readonly runId: number,
  ) {}

  start(): () => void {
    void this.refresh();
    const off = this.app.onEvent((e) => this.onEvent(e));
    // A run trained by another process (the CLI, `dreamprm demo`) sends no events here: while
    // it runs, the stored series are polled instead.
    const poll = setInterval(() => {
      if (this.active && Date.now() - this.lastRefresh >= POLL_MS) void this.refresh();
    }, POLL_MS);
    return () => {
      off();
      clearInterval(poll);
      if (this.timer) clearTimeout(this.timer);
    };
  }

  get active(): boolean {
    return this.run?.status === 'running';
  }

  get progress(): number {
    const step = this.live?.step ?? this.run?.step ?? 0;
    const total = this.live?.totalSteps ?? this.run?.totalSteps ?? 0;
    return total > 0 ? Math.min(1, step / total) : 0;
  }

  private onEvent(e: StudioEvent): void {
    if (!('runId' in e) || e.runId !== this.runId) return;
    if (e.type === 'run-progress') {
      const { type: _type, ...progress } = e;
      this.live = progress;
      this.scheduleRefresh();
    } else if (e.type === 'run-status') {
      if (e.status !== 'running') this.live = null;
      // A resumed run rewinds to its checkpoint and drops what it logged after it: re-read all.
      void this.refresh(true);
    }
  }

  /** Progress events can come many times a second; the stored series are re-read at most once a second. */
  private scheduleRefresh(): void {
    if (this.timer) return;
    const wait = Math.max(0, REFRESH_MS - (Date.now() - this.lastRefresh));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, wait);
  }

  async refresh(full = false): Promise<void> {
    this.lastRefresh = Date.now();
    const api = this.app.api;
    try {
      const since = !full && this.metrics.length ? this.metrics[this.metrics.length - 1].step : undefined;
      const [run, metrics, weights, histogram] = await Promise.all([
        api.getRun({ runId: this.runId }),
        api.getMetrics({ runId: this.runId, sinceStep: since }),
        api.getDomainWeights({ runId: this.runId }),
        api.getWeightHistogram({ runId: this.runId, bins: 30 }),
      ]);
      this.run = run;
      if (since === undefined) this.metrics = metrics;
      else if (metrics.length) this.metrics = [...this.metrics, ...metrics];
      this.weights = weights;
      this.histogram = histogram;
      this.missing = null;
    } catch (e) {
      const err = e as Error;
      if (err.name === 'NotFound') this.missing = err.message;
      else this.app.notify('error', `Loading run ${this.runId}: ${err.message}`);
    }
  }

  async cancel(): Promise<void> {
    this.acting = true;
    await this.app.attempt('Cancelling', () => this.app.api.cancelRun({ runId: this.runId }));
    this.acting = false;
    await this.refresh();
  }

  async resume(): Promise<void> {
    this.acting = true;
    await this.app.attempt('Resuming', () => this.app.api.resumeRun({ runId: this.runId }));
    this.acting = false;
    await this.refresh(true);
  }
}
