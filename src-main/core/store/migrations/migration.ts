import type { Database } from 'better-sqlite3';

/** One schema change; its own file, so that migrations and their registry import in one direction. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}
