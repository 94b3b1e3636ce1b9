/**
 * The user's tags on runs ("baseline", "paper table", "seed sweep"), for filtering the runs
 * table. Kept in the settings table, one key per run: a schema change for them would need a
 * migration numbered after ones this branch does not have yet.
 */
import { NotFoundError, UserError } from '../errors';
import type { Db } from '../store/db';

const PREFIX = 'run-tags/';
const MAX_TAGS = 20;
const MAX_TAG = 40;

/** Trimmed, lower-case, unique, in the order given; refuses empty-after-trim and overlong tags by name. */
export function cleanTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const t = raw.trim().toLowerCase().replace(/\s+/g, ' ');
    if (!t) continue;
    if (t.length > MAX_TAG) throw new UserError(`the tag "${t.slice(0, 20)}…" is longer than ${MAX_TAG} characters`);
    if (!out.includes(t)) out.push(t);
  }
  if (out.length > MAX_TAGS) throw new UserError(`a run can have at most ${MAX_TAGS} tags (got ${out.length})`);
  return out;
}

/** Every run's tags, by run id (runs without tags are absent). */
export function allRunTags(db: Db): Map<number, string[]> {
  const rows = db.prepare('SELECT key, value FROM settings WHERE key GLOB ?').all(`${PREFIX}*`) as { key: string; value: string }[];
  return new Map(rows.map((r) => [Number(r.key.slice(PREFIX.length)), JSON.parse(r.value) as string[]]));
}

export function setRunTags(db: Db, runId: number, tags: readonly string[]): string[] {
  if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw new NotFoundError(`run ${runId} does not exist`);
  const clean = cleanTags(tags);
  if (!clean.length) clearRunTags(db, runId);
  else db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(`${PREFIX}${runId}`, JSON.stringify(clean));
  return clean;
}

export function clearRunTags(db: Db, runId: number): void {
  db.prepare('DELETE FROM settings WHERE key = ?').run(`${PREFIX}${runId}`);
}
