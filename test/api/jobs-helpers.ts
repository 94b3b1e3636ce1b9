import { EventHub } from '../../src-main/core/api/events';
import { createJobsApi, type JobsApiHandle } from '../../src-main/core/api/jobs-api';
import type { StudioEvent } from '../../src-main/core/api/types';
import { openDb, type Db } from '../../src-main/core/store/db';

export type JobEvent = Extract<StudioEvent, { type: 'job-progress' }> & { at: number };

export interface JobsSetup {
  db: Db;
  handle: JobsApiHandle;
  api: JobsApiHandle['api'];
  events: JobEvent[];
}

/** The jobs API over an in-memory database, with short retries and its job-progress events recorded. */
export function setupJobsApi(env: NodeJS.ProcessEnv = {}): JobsSetup {
  const db = openDb(':memory:');
  const hub = new EventHub();
  const events: JobEvent[] = [];
  hub.subscribe((e) => {
    if (e.type === 'job-progress') events.push({ ...e, at: Date.now() });
  });
  const handle = createJobsApi(db, hub, { env, client: { backoffMs: 1, maxBackoffMs: 5, maxAttempts: 2, timeoutMs: 5000 } });
  return { db, handle, api: handle.api, events };
}

/** Waits for the job's final event (a status other than running). */
export async function finalEvent(events: JobEvent[], jobId: number, timeout = 20_000): Promise<JobEvent> {
  const until = Date.now() + timeout;
  for (;;) {
    const e = events.find((x) => x.jobId === jobId && x.status !== 'running');
    if (e) return e;
    if (Date.now() > until) throw new Error(`job ${jobId} did not finish in ${timeout} ms`);
    await new Promise((f) => setTimeout(f, 10));
  }
}
