/**
 * Opens the studio with the process's training worker as its default trainer. It lives here,
 * not in core/api: core does not import the worker (the layer rule in eslint.config.js).
 */
import { createStudio, type StudioOptions } from '../core/api/studio';
import type { StudioService } from '../core/api/service';
import { openDb } from '../core/store/db';
import { createWorkerTrainer } from './worker-trainer';

/** Opens the database at `dbPath` and the studio over it. */
export function openStudio(opts: StudioOptions): StudioService {
  // The app writes: a damaged database is refused at open (quick_check), with what to do.
  const db = opts.db ?? openDb(opts.dbPath, { check: true });
  const worker = opts.trainer && opts.jobs ? null : createWorkerTrainer(db, opts.dbPath);
  const trainer = opts.trainer ?? worker!;
  const jobs = opts.jobs ?? worker!;
  return createStudio({ ...opts, db, trainer, jobs, closeDb: !opts.db });
}
