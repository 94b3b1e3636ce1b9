import type { Database } from 'better-sqlite3';
import { m001Data } from './001-data';
import { m002Runs } from './002-runs';
import { m003Evaluations } from './003-evaluations';
import { m004Jobs } from './004-jobs';
import { m005AnnotationsExplorer } from './005-annotations-explorer';

export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

/** Every schema change, in order. Append only; never edit a released migration. */
export const MIGRATIONS: readonly Migration[] = [m001Data, m002Runs, m003Evaluations, m004Jobs, m005AnnotationsExplorer];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function checkRegistry(migrations: readonly Migration[] = MIGRATIONS): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration registry out of order: #${i} is version ${m.version} (${m.name})`);
    }
  });
}
