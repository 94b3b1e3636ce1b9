import type { MetricPoint } from '../../../src-shared/runs';
import type { StepReport } from './engine';

const RECENT = 20;

const meanOf = (a: number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : null);

/**
 * A run's losses as its steps report them: the last RECENT of each (progress, the heartbeat
 * and the outcome report their means; checkpoints keep them) and the metric rows, one per
 * interval of steps, not yet written.
 */
export class RunLosses {
  private readonly pending: MetricPoint[] = [];
  private interval: StepReport[] = [];
  private intervalStart = performance.now();
  /** the newest meta loss, kept through the steps that compute none */
  lastMeta: number | null;

  constructor(
    readonly recentTrain: number[],
    readonly recentMeta: number[],
  ) {
    this.lastMeta = recentMeta.length ? recentMeta[recentMeta.length - 1] : null;
  }

  /** Adds a step's report; `rowDue` closes the interval into a metric row. */
  record(r: StepReport, rowDue: boolean): void {
    this.recentTrain.push(r.trainLoss);
    if (this.recentTrain.length > RECENT) this.recentTrain.shift();
    if (r.metaLoss !== null) {
      this.lastMeta = r.metaLoss;
      this.recentMeta.push(r.metaLoss);
      if (this.recentMeta.length > RECENT) this.recentMeta.shift();
    }
    this.interval.push(r);
    if (rowDue) this.closeInterval(r);
  }

  private closeInterval(r: StepReport): void {
    const interval = this.interval;
    const metas = interval.filter((x) => x.metaLoss !== null).map((x) => x.metaLoss!);
    const secs = (performance.now() - this.intervalStart) / 1000;
    this.pending.push({
      step: r.step,
      trainLoss: meanOf(interval.map((x) => x.trainLoss)),
      weightedLoss: meanOf(interval.map((x) => x.weightedLoss)),
      metaLoss: meanOf(metas),
      lr: r.lr,
      throughput: secs > 0 ? interval.reduce((n, x) => n + x.instances, 0) / secs : null,
    });
    this.interval = [];
    this.intervalStart = performance.now();
  }

  /** The metric rows not yet written; they are the caller's to write from here on. */
  takeRows(): MetricPoint[] {
    return this.pending.splice(0);
  }

  trainLoss(): number | null {
    return meanOf(this.recentTrain);
  }

  metaLoss(): number | null {
    return meanOf(this.recentMeta);
  }

  /** the weighted loss of the open interval's newest step (null right after a row closed it) */
  lastWeightedLoss(): number | null {
    return this.interval.length ? this.interval[this.interval.length - 1].weightedLoss : null;
  }
}
