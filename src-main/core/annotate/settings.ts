/** The app's small settings store (the annotator's name), shared by the app and the CLI. */
import { userInfo } from 'node:os';
import { UserError } from '../errors';
import type { Db } from '../store/db';
import type { Settings } from './types';

const ANNOTATOR = 'annotator';
export const MAX_NAME = 100;

/** The OS account's name, the default offered for the annotator (some sandboxes have none). */
function osUserName(): string | null {
  try {
    const name = userInfo().username.trim();
    return name ? name.slice(0, MAX_NAME) : null;
  } catch {
    return null;
  }
}

export function getSettings(db: Db): Settings {
  const name = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(ANNOTATOR) as string | undefined;
  return { annotator: name ?? null, suggestedAnnotator: osUserName() };
}

export function setSettings(db: Db, next: { annotator?: string | null }): Settings {
  if (next.annotator !== undefined) {
    if (next.annotator === null) {
      db.prepare('DELETE FROM settings WHERE key = ?').run(ANNOTATOR);
    } else {
      const name = next.annotator.trim();
      if (!name) throw new UserError('the annotator name cannot be empty');
      if (name.length > MAX_NAME) throw new UserError(`the annotator name is longer than ${MAX_NAME} characters`);
      db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(ANNOTATOR, name);
    }
  }
  return getSettings(db);
}

/** The annotator's name, or a sentence on how to set it. */
export function requireAnnotator(db: Db): string {
  const { annotator } = getSettings(db);
  if (!annotator) {
    throw new UserError(
      'set your name as annotator first (the app asks at the first label; or the Annotations page, or `dreamprm annotations annotator NAME`): every label records who gave it',
    );
  }
  return annotator;
}
