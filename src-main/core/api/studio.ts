/**
 * The studio: the one implementation of the API, over the database and the trainer, in plain
 * Node. Electron main, `dreamprm serve` and the tests all use this same object.
 */
import type { Db } from '../store/db';
import { openDb } from '../store/db';
import { getImage, getThumbnail } from '../store/data-store';
import { createDataApi } from './data-api';
import { EventHub } from './events';
import { createRunsApi, type RunTrainer } from './runs-api';
import { createWorkerTrainer } from './worker-trainer';
import type { StudioService } from './service';
import type { StudioApi, StudioInfo } from './types';
import { appVersion } from './version';

export interface StudioOptions {
  dbPath: string;
  /** an already open database (tests); otherwise dbPath is opened and closed by the studio */
  db?: Db;
  /** what trains; default: the process's training worker */
  trainer?: RunTrainer;
  version?: string;
}

function count(db: Db, table: 'sources' | 'domains' | 'cots' | 'runs'): number {
  return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

export function createStudio(opts: StudioOptions & { db: Db; trainer: RunTrainer; closeDb: boolean }): StudioService {
  const { db, trainer } = opts;
  const events = new EventHub();
  const version = opts.version ?? appVersion();
  const data = createDataApi(db, opts.dbPath, events);
  const runsApi = createRunsApi(db, trainer);

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
  };

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
        await trainer.close();
        if (opts.closeDb) db.close();
      })();
      return closing;
    },
  };
}

/** Opens the database at `dbPath` and the studio over it. */
export function openStudio(opts: StudioOptions): StudioService {
  const db = opts.db ?? openDb(opts.dbPath);
  const trainer = opts.trainer ?? createWorkerTrainer(db, opts.dbPath);
  return createStudio({ ...opts, db, trainer, closeDb: !opts.db });
}
