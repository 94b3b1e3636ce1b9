import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../core/errors';
import { openDb } from '../core/store/db';
import { finishRun, getRun } from '../core/store/runs-store';
import { trainRun } from '../core/engine/trainer';
import { disposeModelCache, runModelJob } from './model-jobs';
import type { HostMessage, WorkerInit, WorkerMessage } from './protocol';

/**
 * The training worker: one per process, long-lived, running jobs one after another (tfjs keeps
 * global state per thread and misbehaves with several training threads).
 */
if (!parentPort) throw new Error('training-worker must run as a worker thread');
const port = parentPort;
const { dbPath } = workerData as WorkerInit;
const db = openDb(dbPath);
const queue: Extract<HostMessage, { type: 'run' }>[] = [];
/** PRM jobs (evaluate, score) go before queued runs: they are short and someone is waiting. */
const jobs: Extract<HostMessage, { type: 'job' }>[] = [];
const cancelled = new Set<number>();
let busy = false;
let closing = false;

const send = (m: WorkerMessage) => port.postMessage(m);

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while ((queue.length || jobs.length) && !closing) {
      if (jobs.length) {
        await runJob(jobs.shift()!);
        continue;
      }
      const job = queue.shift()!;
      if (cancelled.has(job.runId)) {
        // Cancelled before it started: nothing to checkpoint.
        finishRun(db, job.runId, 'cancelled');
        const r = getRun(db, job.runId);
        send({
          type: 'done',
          outcome: {
            runId: r.runId,
            method: r.method,
            status: 'cancelled',
            backend: r.backend,
            steps: r.step,
            seconds: r.seconds,
            trainLoss: r.trainLoss,
            metaLoss: r.metaLoss,
            domainWeights: r.domainWeights,
            error: null,
          },
        });
        continue;
      }
      try {
        const outcome = await trainRun(db, job.runId, {
          backend: job.backend,
          dbKey: dbPath,
          shouldCancel: () => cancelled.has(job.runId) || closing,
          onProgress: (progress) => send({ type: 'progress', progress }),
          log: (message) => send({ type: 'log', message }),
        });
        send({ type: 'done', outcome });
      } catch (e) {
        send({ type: 'error', runId: job.runId, message: errorMessage(e) });
      } finally {
        cancelled.delete(job.runId);
      }
    }
  } finally {
    busy = false;
  }
}

async function runJob(m: Extract<HostMessage, { type: 'job' }>): Promise<void> {
  try {
    const result = await runModelJob(
      db,
      dbPath,
      m.job,
      m.backend,
      (done, total) => send({ type: 'job-progress', jobId: m.jobId, done, total }),
      (message) => send({ type: 'log', message }),
    );
    send({ type: 'job-done', jobId: m.jobId, result });
  } catch (e) {
    send({ type: 'job-error', jobId: m.jobId, message: errorMessage(e) });
  }
}

port.on('message', (m: HostMessage) => {
  switch (m.type) {
    case 'run':
      queue.push(m);
      void drain();
      break;
    case 'cancel':
      cancelled.add(m.runId);
      break;
    case 'job':
      jobs.push(m);
      void drain();
      break;
    case 'shutdown':
      closing = true;
      // Jobs that never started end as cancelled rather than stay 'running' under a live pid.
      for (const j of queue.splice(0)) finishRun(db, j.runId, 'cancelled');
      for (const j of jobs.splice(0)) send({ type: 'job-error', jobId: j.jobId, message: 'the training worker shut down first' });
      if (!busy) {
        disposeModelCache();
        db.close();
        port.close();
      } else {
        const wait = setInterval(() => {
          if (!busy) {
            clearInterval(wait);
            disposeModelCache();
            db.close();
            port.close();
          }
        }, 20);
      }
      break;
  }
});
