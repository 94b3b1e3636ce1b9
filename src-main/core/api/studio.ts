/**
 * The studio: the one implementation of the API, over the database and the trainer, in plain
 * Node. Electron main, `dreamprm serve` and the tests all use this same object. `openStudio`,
 * which adds the process's training worker, is in src-main/worker/open-studio.ts: core does not
 * import the worker.
 */
import type { Db } from '../store/db';
import { getImage, getThumbnail } from '../store/questions-store';
import { createAnnotateApi } from './annotate-api';
import { createDataApi } from './data-api';
import { createEvalApi, type PrmJobs } from './eval-api';
import { createExploreApi } from './explore-api';
import { createJobsApi } from './jobs-api';
import { createManageApi } from './manage-api';
import { watchRuns } from './runs-watch';
import { namingDatabase } from '../store/db-errors';
import { EventHub } from './events';
import { createRunsApi, type RunTrainer } from './runs-api';
import type { StudioService } from './service';
import type { StudioApi, StudioInfo } from './types';
import { appVersion } from './version';

export interface StudioOptions {
  dbPath: string;
  /** an already open database (tests); otherwise dbPath is opened and closed by the studio */
  db?: Db;
  /** what trains; default: the process's training worker */
  trainer?: RunTrainer;
  /** what evaluates and scores with a trained PRM; default: the same training worker */
  jobs?: PrmJobs;
  version?: string;
}

function count(db: Db, table: 'sources' | 'domains' | 'cots' | 'runs'): number {
  return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

export function createStudio(opts: StudioOptions & { db: Db; trainer: RunTrainer; jobs: PrmJobs; closeDb: boolean }): StudioService {
  const { db, trainer, jobs } = opts;
  const events = new EventHub();
  const version = opts.version ?? appVersion();
  const data = createDataApi(db, opts.dbPath, events);
  const runsApi = createRunsApi(db, trainer);
  const evalApi = createEvalApi(db, jobs, events);
  const exploreApi = createExploreApi(db, jobs, events);
  const annotateApi = createAnnotateApi(db);
  const jobsApi = createJobsApi(db, events);
  const manageApi = createManageApi(db, events);
  const stopWatch = watchRuns(db, () => events.emit({ type: 'runs-changed' }));

  const offProgress = trainer.onProgress((p) => events.emit({ type: 'run-progress', ...p }));
  const offStatus = trainer.onStatus((runId, status, error) => events.emit({ type: 'run-status', runId, status, error }));

  const api: StudioApi = {
    async info(): Promise<StudioInfo> {
      return {
        version,
        dbPath: opts.dbPath,
        backend: await trainer.backend(),
        counts: { sources: count(db, 'sources'), domains: count(db, 'domains'), cots: count(db, 'cots'), runs: count(db, 'runs') },
      };
    },
    ...data,
    ...runsApi,
    ...evalApi,
    ...exploreApi,
    ...annotateApi,
    ...jobsApi.api,
    ...manageApi,
  };
  nameDatabaseInErrors(api, opts.dbPath);

  let closing: Promise<void> | undefined;
  return {
    api,
    subscribe: (listener) => events.subscribe(listener),
    image(id, thumb) {
      const found = thumb ? getThumbnail(db, id) : getImage(db, id);
      return found ? { bytes: found.bytes, mime: found.mime } : null;
    },
    close() {
      closing ??= (async () => {
        offProgress();
        offStatus();
        stopWatch();
        await jobsApi.close();
        await trainer.close();
        if (opts.closeDb) db.close();
      })();
      return closing;
    },
  };
}

/** Every method's SQLite errors name the database file (a user may have several). */
function nameDatabaseInErrors(api: StudioApi, dbPath: string): void {
  const methods = api as unknown as Record<string, (args: unknown) => Promise<unknown>>;
  for (const [name, fn] of Object.entries(methods)) {
    methods[name] = async (args: unknown) => {
      try {
        return await fn(args);
      } catch (e) {
        throw namingDatabase(e, dbPath);
      }
    };
  }
}
