/** The API's trainer in the app: the process's one long-lived training worker (TrainingHost). */
import type { Db } from '../core/store/db';
import { getRun, requestCancel } from '../core/store/runs-store';
import type { PrmJobs } from '../core/api/eval-api';
import type { RunTrainer } from '../core/api/runs-api';
import type { BackendSummary, RunStatus } from '../core/api/types';
import { errorMessage } from '../core/errors';
import { TrainingHost } from './training-host';

/**
 * The backend runs here use, without loading tfjs in this thread: the one the latest run
 * actually used and its device, else the one 'auto' starts without a GPU (wasm), with a note
 * on what a faster one needs or why the one asked for was not used.
 */
export function backendInfo(db: Db): BackendSummary {
  const last = db
    .prepare(`SELECT backend, device, backend_fallback AS fallback FROM runs WHERE backend NOT IN ('auto', '') ORDER BY id DESC LIMIT 1`)
    .get() as { backend: string; device: string | null; fallback: string | null } | undefined;
  const gpu = last?.backend === 'webgpu' || last?.backend === 'tfjs-node-gpu';
  const note = last?.fallback
    ? `Not on the backend asked for: ${last.fallback}.`
    : gpu
      ? null
      : 'Training runs on the CPU. For a GPU choose the webgpu backend (NVIDIA, AMD, Intel, Apple; no CUDA needed), or ' +
        'install @tensorflow/tfjs-node-gpu (NVIDIA with CUDA 11.2 and cuDNN 8.1 only); for a faster CPU install ' +
        '@tensorflow/tfjs-node (see "Training on a GPU" in the README).';
  return { name: last?.backend ?? 'wasm', device: last?.device ?? null, note };
}

/** The trainer and the PRM jobs of the app: both go to the one training worker of the process. */
export function createWorkerTrainer(db: Db, dbPath: string): RunTrainer & PrmJobs {
  let host: TrainingHost | null = null;
  /** the run the worker is training now, known from its progress */
  let active: number | null = null;
  const statusListeners = new Set<(runId: number, status: RunStatus, error: string | null) => void>();
  const progressListeners = new Set<Parameters<RunTrainer['onProgress']>[0]>();

  const emitStatus = (runId: number, status: RunStatus, error: string | null): void => {
    for (const l of statusListeners) l(runId, status, error);
  };

  // Created on first use: opening the app or `serve` must not start a worker thread.
  function theHost(): TrainingHost {
    if (!host) {
      host = new TrainingHost(dbPath);
      // The worker's own log (why a run failed, backend choice) is for debugging only.
      if (process.env.DREAMPRM_DEBUG) host.onLog((m) => process.stderr.write(`${m}\n`));
      host.onProgress((p) => {
        active = p.runId;
        for (const l of progressListeners) l(p);
      });
    }
    return host;
  }

  /** Reports the run's end, whatever way it ends, from what the store says. */
  function watch(h: TrainingHost, runId: number): void {
    emitStatus(runId, 'running', null);
    const report = (failure?: unknown): void => {
      if (active === runId) active = null;
      try {
        const r = getRun(db, runId);
        // The worker can fail a run before training writes its end (the row still says
        // running): it is over all the same, and a caller waiting for its end (the CLI) must hear so.
        if (r.status === 'running' && failure !== undefined) emitStatus(runId, 'failed', errorMessage(failure));
        else emitStatus(runId, r.status, r.error);
      } catch {
        // the database closed with the app; nothing left to tell
      }
    };
    h.whenDone(runId).then(() => report(), (e: unknown) => report(e));
  }

  return {
    async start(config, name, backend) {
      const h = theHost();
      const { runId } = await h.start(config, { name, backend });
      watch(h, runId);
      return runId;
    },
    async resume(runId, backend) {
      const h = theHost();
      await h.resume(runId, { backend });
      watch(h, runId);
    },
    async cancel(runId) {
      // A run that is training (here or in another process, such as the CLI) polls the flag in
      // the database at every flush. Only a run still queued in this worker needs the message:
      // a message to the active run can arrive after it has already stopped and then cancel
      // its next resume.
      if (host && active !== runId) host.cancel(runId);
      else requestCancel(db, runId);
    },
    async backend() {
      return backendInfo(db);
    },
    evaluate(runId, agg, onProgress, backend) {
      return theHost().evaluate(runId, agg, { onProgress, backend });
    },
    score(runId, cotIds) {
      return theHost().score(runId, cotIds);
    },
    onProgress(listener) {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    async close() {
      await host?.close();
      host = null;
    },
  };
}
