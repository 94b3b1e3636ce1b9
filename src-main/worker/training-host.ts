import { Worker } from 'node:worker_threads';
import { UserError } from '../core/errors';
import { openDb, type Db } from '../core/store/db';
import {
  claimRun,
  createRun,
  finishRun,
  getRun,
  getRunSummaryJson,
  reconcileStaleRuns,
  requestCancel,
} from '../core/store/runs-store';
import type { TrainConfig } from '../core/engine/config';
import { recordRunInputs } from '../core/annotate/run-inputs';
import { checkColdStart } from '../core/runs/cold-start';
import type { BackendRequest } from '../core/engine/tf-backend';
import type { RunOutcome, RunProgress } from '../core/engine/trainer-types';
import type { AggName } from '../core/engine/aggregate';
import type { RunEvaluation } from '../core/eval/run-eval';
import type { ModelJob, ScoreResult } from './model-jobs';
import type { HostMessage, WorkerInit, WorkerMessage } from './protocol';
import { workerEntry } from './worker-entry';

export type { RunOutcome, RunProgress, RunEvaluation, ScoreResult };

interface PendingJob {
  resolve: (result: RunEvaluation | ScoreResult) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface RunStartOptions {
  backend?: BackendRequest;
  name?: string | null;
}

/**
 * The caller's side of the training worker: starts, resumes and cancels runs, streams their
 * progress, and tells when each is done. One worker per host, created on first use; use one
 * host per process.
 */
export class TrainingHost {
  private worker: Worker | null = null;
  private readonly db: Db;
  private readonly listeners = new Set<(p: RunProgress) => void>();
  private readonly logListeners = new Set<(m: string) => void>();
  private readonly waiting = new Map<number, { promise: Promise<RunOutcome>; resolve: (o: RunOutcome) => void; reject: (e: Error) => void }>();
  private readonly jobs = new Map<number, PendingJob>();
  private nextJob = 1;
  private closed = false;

  constructor(readonly dbPath: string) {
    if (dbPath === ':memory:') throw new UserError('training needs a database file: an in-memory database cannot be shared with the worker');
    this.db = openDb(dbPath);
    reconcileStaleRuns(this.db);
  }

  /**
   * Creates a run from a parsed config (parsed once, by the caller: the API's startRun, the
   * demo), after the cold-start checks that need the database and before the run row is
   * written; records the data it starts with (its provenance, for every caller), and queues it.
   */
  async start(c: TrainConfig, opts: RunStartOptions = {}): Promise<{ runId: number }> {
    this.assertOpen();
    checkColdStart(this.db, c);
    const runId = this.db.transaction(() => {
      const id = createRun(this.db, {
        method: c.method,
        config: c,
        totalSteps: c.steps,
        backend: opts.backend ?? 'auto',
        name: opts.name ?? null,
      });
      recordRunInputs(this.db, id, c.metaSource);
      return id;
    })();
    this.enqueue(runId, opts.backend ?? 'auto');
    return { runId };
  }

  /** Continues an interrupted, cancelled or failed run from its last checkpoint. */
  async resume(runId: number, opts: RunStartOptions = {}): Promise<{ runId: number }> {
    this.assertOpen();
    reconcileStaleRuns(this.db);
    const r = getRun(this.db, runId);
    if (r.status === 'running') {
      throw new UserError(`run ${runId} is still running (process ${r.ownerPid ?? '?'}); cancel it first or wait`);
    }
    if (r.status === 'completed') throw new UserError(`run ${runId} is completed: nothing to resume`);
    const backend = opts.backend ?? (r.backend as BackendRequest);
    claimRun(this.db, runId, r.backend);
    this.enqueue(runId, backend);
    return { runId };
  }

  /** Stops a run at its next step boundary (a checkpoint is written). Works across processes. */
  cancel(runId: number): void {
    requestCancel(this.db, runId);
    this.post({ type: 'cancel', runId });
  }

  /**
   * Best-of-N evaluation of a run's PRM on the test pool, in the worker (stored like
   * `dreamprm eval`). Runs before queued training runs, after the one training now.
   */
  evaluate(
    runId: number,
    agg: AggName,
    opts: { backend?: BackendRequest; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<RunEvaluation> {
    return this.job({ kind: 'evaluate', runId, agg }, opts) as Promise<RunEvaluation>;
  }

  /** Per-step scores of CoTs by the run's latest PRM, in the worker. */
  score(runId: number, cotIds: number[], opts: { backend?: BackendRequest } = {}): Promise<ScoreResult> {
    return this.job({ kind: 'score', runId, cotIds }, opts) as Promise<ScoreResult>;
  }

  private job(
    job: ModelJob,
    opts: { backend?: BackendRequest; onProgress?: (done: number, total: number) => void },
  ): Promise<RunEvaluation | ScoreResult> {
    this.assertOpen();
    const jobId = this.nextJob++;
    return new Promise((resolve, reject) => {
      this.jobs.set(jobId, { resolve, reject, onProgress: opts.onProgress });
      this.post({ type: 'job', jobId, job, backend: opts.backend ?? 'auto' });
    });
  }

  onProgress(cb: (p: RunProgress) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  onLog(cb: (message: string) => void): () => void {
    this.logListeners.add(cb);
    return () => this.logListeners.delete(cb);
  }

  /** Resolves when the run ends here; a run already finished resolves from the store. */
  whenDone(runId: number): Promise<RunOutcome> {
    const w = this.waiting.get(runId);
    if (w) return w.promise;
    const r = getRun(this.db, runId);
    if (r.status === 'running') {
      return Promise.reject(new UserError(`run ${runId} is being trained by another process (${r.ownerPid ?? '?'})`));
    }
    const s = getRunSummaryJson<Partial<RunOutcome>>(this.db, runId) ?? {};
    return Promise.resolve({
      runId,
      method: r.method,
      status: r.status === 'interrupted' ? 'failed' : r.status,
      backend: r.backend,
      steps: r.step,
      seconds: r.seconds,
      trainLoss: s.trainLoss ?? r.trainLoss,
      metaLoss: s.metaLoss ?? r.metaLoss,
      domainWeights: s.domainWeights ?? r.domainWeights,
      error: r.error,
    });
  }

  /** Cancels what runs (it checkpoints), ends queued runs as cancelled, stops the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const w = this.worker;
    if (w) {
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage({ type: 'shutdown' } satisfies HostMessage);
      await exited;
      this.worker = null;
    }
    for (const [runId, p] of this.waiting) {
      p.reject(new Error(`the training host closed before run ${runId} finished`));
    }
    this.waiting.clear();
    for (const j of this.jobs.values()) j.reject(new Error('the training host closed before the job finished'));
    this.jobs.clear();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('TrainingHost is closed');
  }

  private enqueue(runId: number, backend: BackendRequest): void {
    let resolve!: (o: RunOutcome) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<RunOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers may never await whenDone; a rejection then must not crash the process.
    promise.catch(() => {});
    this.waiting.set(runId, { promise, resolve, reject });
    this.post({ type: 'run', runId, backend });
  }

  private post(m: HostMessage): void {
    this.ensureWorker().postMessage(m);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const entry = workerEntry();
    const w = new Worker(entry.source, {
      eval: entry.eval,
      workerData: { dbPath: this.dbPath, ...entry.extra } satisfies WorkerInit,
    });
    w.on('message', (m: WorkerMessage) => this.onMessage(m));
    w.on('error', (e) => this.onWorkerDeath(e));
    w.on('exit', (code) => {
      if (!this.closed && code !== 0) this.onWorkerDeath(new Error(`the training worker exited with code ${code}`));
      if (this.worker === w) this.worker = null;
    });
    // The worker must not keep a CLI process alive once nothing waits for it.
    this.worker = w;
    return w;
  }

  private onMessage(m: WorkerMessage): void {
    switch (m.type) {
      case 'progress':
        for (const cb of this.listeners) cb(m.progress);
        break;
      case 'log':
        for (const cb of this.logListeners) cb(m.message);
        break;
      case 'done': {
        const w = this.waiting.get(m.outcome.runId);
        this.waiting.delete(m.outcome.runId);
        w?.resolve(m.outcome);
        break;
      }
      case 'error': {
        const w = this.waiting.get(m.runId);
        this.waiting.delete(m.runId);
        w?.reject(new UserError(m.message));
        break;
      }
      case 'job-progress':
        this.jobs.get(m.jobId)?.onProgress?.(m.done, m.total);
        break;
      case 'job-done':
        this.jobs.get(m.jobId)?.resolve(m.result);
        this.jobs.delete(m.jobId);
        break;
      case 'job-error':
        this.jobs.get(m.jobId)?.reject(new UserError(m.message));
        this.jobs.delete(m.jobId);
        break;
    }
  }

  /** A crashed worker takes its runs with it: record them as failed, not as running forever. */
  private onWorkerDeath(e: Error): void {
    for (const [runId, w] of this.waiting) {
      try {
        if (getRun(this.db, runId).status === 'running') {
          finishRun(this.db, runId, 'failed', { error: `the training worker crashed: ${e.message}` });
        }
      } catch {
        // The store may be gone too; the run is then reconciled as interrupted later.
      }
      w.reject(new Error(`the training worker crashed: ${e.message}`));
    }
    this.waiting.clear();
    for (const j of this.jobs.values()) j.reject(new Error(`the training worker crashed: ${e.message}`));
    this.jobs.clear();
    this.worker = null;
  }
}
