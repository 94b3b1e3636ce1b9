import { appendMetrics, finishRun, heartbeat, latestCheckpoint, saveCheckpoint } from '../store/runs-store';
import { packState } from './checkpoint';
import type { StepReport } from './engine';
import { prefetch } from './reads';
import type { RunCheckpoint } from './run-checkpoint';
import { RunLosses } from './run-losses';
import { domainRecord, recordWeights, resumeOrBegin, weightsReady, type LoopState, type RunSetup } from './run-records';
import { SimulatedCrash, type RunOutcome, type TrainHooks } from './trainer-types';

const FLUSH_MS = 1000;
const PROGRESS_MS = 100;

/**
 * Trains the run from its newest checkpoint (or from the start) to config.steps, writing
 * metrics, weights, snapshots and checkpoints as it goes, and leaves it completed, cancelled
 * or failed (a non-finite loss).
 */
export async function runLoop(run: RunSetup, hooks: TrainHooks): Promise<RunOutcome> {
  const state = await resumeOrBegin(run, hooks.log);
  return new RunLoop(run, hooks, state).run();
}

/** The loop's steps, with the clocks they share. */
class RunLoop {
  private readonly losses: RunLosses;
  private readonly startedAt: number;
  private readonly secondsAtStart: number;
  private readonly stepsAtStart: number;
  private lastFlush: number;
  private lastProgress = 0;

  constructor(
    private readonly setup: RunSetup,
    private readonly hooks: TrainHooks,
    state: LoopState,
  ) {
    this.losses = new RunLosses(state.recentTrain, state.recentMeta);
    this.startedAt = performance.now();
    this.secondsAtStart = state.seconds;
    this.lastFlush = performance.now();
    this.stepsAtStart = setup.engine.step;
  }

  async run(): Promise<RunOutcome> {
    const { engine, config } = this.setup;
    while (engine.step < config.steps) {
      const r = await engine.runStepAsync();
      if (this.hooks.injectNaNAt === r.step) r.trainLoss = NaN;
      if ([r.trainLoss, r.weightedLoss, r.metaLoss ?? 0].some((x) => !Number.isFinite(x))) return this.failNonFinite(r);
      const final = r.step === config.steps;
      this.losses.record(r, r.step % config.metricsEvery === 0 || final);
      const snapshotDue = r.step % config.snapshotEvery === 0 || final;
      const checkpointDue = r.step % config.checkpointEvery === 0 || final;
      const cancel = await this.writeDue(r.step, snapshotDue, checkpointDue);
      this.progress(final);
      if (checkpointDue && this.hooks.crashAfterCheckpoint === r.step) throw new SimulatedCrash(`simulated crash after step ${r.step}`);
      if (cancel && r.step < config.steps) return this.cancel(r.step);
    }
    return this.complete();
  }

  private elapsed(): number {
    return this.secondsAtStart + (performance.now() - this.startedAt) / 1000;
  }

  /** Writes what this step made due (or the flush interval did); true when the run is to stop. */
  private async writeDue(step: number, snapshotDue: boolean, checkpointDue: boolean): Promise<boolean> {
    let cancel = this.hooks.shouldCancel?.() ?? false;
    if (snapshotDue || checkpointDue || cancel) await prefetch(this.setup.engine.stateTensors());
    else if (this.hooks.onProgress) await weightsReady(this.setup);
    if (snapshotDue || checkpointDue || performance.now() - this.lastFlush > FLUSH_MS || cancel) {
      // The checkpoint and everything logged up to it are committed together.
      cancel =
        this.flush(() => {
          if (snapshotDue) recordWeights(this.setup, step);
          if (checkpointDue) this.checkpoint();
        }) || cancel;
    }
    return cancel;
  }

  /** Writes the pending metric rows, `extra` and a heartbeat in one transaction; true when the store asks to cancel. */
  private flush(extra?: () => void): boolean {
    const { db, runId, engine } = this.setup;
    let cancel = false;
    db.transaction(() => {
      appendMetrics(db, runId, this.losses.takeRows());
      extra?.();
      cancel = heartbeat(db, runId, {
        step: engine.step,
        seconds: this.elapsed(),
        trainLoss: this.losses.trainLoss(),
        metaLoss: this.losses.metaLoss(),
      });
    })();
    this.lastFlush = performance.now();
    return cancel;
  }

  private checkpoint(): void {
    const { db, runId, engine } = this.setup;
    const { recentTrain, recentMeta } = this.losses;
    const state: RunCheckpoint = { engine: engine.getState(), seconds: this.elapsed(), recentTrain, recentMeta };
    saveCheckpoint(db, runId, engine.step, packState(state));
  }

  /** Reports progress, at most every PROGRESS_MS unless forced. */
  private progress(force: boolean): void {
    const { runId, engine, config } = this.setup;
    const t = performance.now();
    if (!this.hooks.onProgress || (!force && t - this.lastProgress < PROGRESS_MS)) return;
    this.lastProgress = t;
    const done = engine.step - this.stepsAtStart;
    const rate = done > 0 ? done / ((t - this.startedAt) / 1000) : null;
    this.hooks.onProgress({
      runId,
      step: engine.step,
      totalSteps: config.steps,
      trainLoss: this.losses.trainLoss(),
      weightedLoss: this.losses.lastWeightedLoss(),
      metaLoss: this.losses.lastMeta,
      domainWeights: this.domainWeights(),
      stepsPerSecond: rate,
      etaSeconds: rate ? (config.steps - engine.step) / rate : null,
    });
  }

  private domainWeights(): Record<string, number> {
    return domainRecord(this.setup.data.spec.domains, this.setup.engine.upper.weighting.domainWeights());
  }

  private async failNonFinite(r: StepReport): Promise<RunOutcome> {
    const { db, runId } = this.setup;
    const last = latestCheckpoint(db, runId);
    const which = !Number.isFinite(r.metaLoss ?? 0) ? `meta loss (${r.metaLoss})` : `training loss (${r.trainLoss})`;
    const error =
      `non-finite ${which} at step ${r.step}; the run stopped and its last good checkpoint ` +
      (last ? `(step ${last.step}) is kept` : 'does not exist (none was written yet)') +
      '. Lower lower.lr or upper.metaLr, check the data for extreme labels, and start a new run.';
    this.flush();
    await weightsReady(this.setup);
    finishRun(db, runId, 'failed', { error });
    this.hooks.log?.(`run ${runId}: ${error}`);
    return { ...this.outcome('failed', error), steps: last?.step ?? 0 };
  }

  /** Checkpoints the run where it is, so that it can resume, and leaves it cancelled. */
  private async cancel(step: number): Promise<RunOutcome> {
    const { db, runId } = this.setup;
    await prefetch(this.setup.engine.stateTensors());
    this.flush(() => {
      recordWeights(this.setup, step);
      this.checkpoint();
    });
    const o = this.outcome('cancelled', null);
    finishRun(db, runId, 'cancelled', { summary: this.summary(o) });
    this.hooks.log?.(`run ${runId}: cancelled at step ${step}`);
    return o;
  }

  private async complete(): Promise<RunOutcome> {
    await weightsReady(this.setup);
    const o = this.outcome('completed', null);
    this.flush();
    finishRun(this.setup.db, this.setup.runId, 'completed', { summary: this.summary(o) });
    return o;
  }

  private outcome(status: RunOutcome['status'], error: string | null): RunOutcome {
    const { runId, config, backend, engine } = this.setup;
    return {
      runId,
      method: config.method,
      status,
      backend,
      steps: engine.step,
      seconds: this.elapsed(),
      trainLoss: this.losses.trainLoss(),
      metaLoss: this.losses.metaLoss(),
      domainWeights: this.domainWeights(),
      error,
    };
  }

  private summary(o: RunOutcome) {
    return {
      steps: o.steps,
      seconds: o.seconds,
      trainLoss: o.trainLoss,
      metaLoss: o.metaLoss,
      domainWeights: o.domainWeights,
      backend: this.setup.backend,
    };
  }
}
