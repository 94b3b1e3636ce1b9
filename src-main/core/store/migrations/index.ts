import type { Migration } from './migration';
import { m001Data } from './001-data';
import { m002Runs } from './002-runs';
import { m003Evaluations } from './003-evaluations';
import { m004Jobs } from './004-jobs';
import { m005AnnotationsExplorer } from './005-annotations-explorer';
import { m006QuestionTask } from './006-question-task';
import { m008EmbedScoreJobs } from './008-embed-score-jobs';
import { m009RunDevice } from './009-run-device';

export type { Migration };

/** Every schema change, in order. Append only; never edit a released migration. */
export const MIGRATIONS: readonly Migration[] = [
  m001Data,
  m002Runs,
  m003Evaluations,
  m004Jobs,
  m005AnnotationsExplorer,
  m006QuestionTask,
  m008EmbedScoreJobs,
  m009RunDevice,
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Versions start at 1 and increase; a gap is a number reserved by a change on another branch. */
export function checkRegistry(migrations: readonly Migration[] = MIGRATIONS): void {
  migrations.forEach((m, i) => {
    const previous = i === 0 ? 0 : migrations[i - 1].version;
    if (!Number.isInteger(m.version) || m.version <= previous || (i === 0 && m.version !== 1)) {
      throw new Error(`migration registry out of order: #${i} is version ${m.version} (${m.name})`);
    }
  });
}
