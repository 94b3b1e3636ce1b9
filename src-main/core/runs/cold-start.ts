/**
 * The cross-field checks of a new run that need the database: a cold start names a run that
 * exists, is a completed uniform run with a model and a checkpoint, and trained the same model
 * shape. Called by TrainingHost.start before the run row is written, which every way of
 * starting a run goes through (the CLI's `train`, `demo`, the app's and `serve`'s startRun),
 * so a mistake here never leaves a failed run behind.
 */
import { ModelSchema, type TrainConfig } from '../engine/config';
import { UserError } from '../errors';
import type { Db } from '../store/db';

interface SourceRun {
  method: string;
  status: string;
  model_spec: string | null;
}

const CHOOSE = 'choose a completed uniform run (dreamprm runs list), or start without a cold start';

export function checkColdStart(db: Db, config: TrainConfig): void {
  const from = config.coldStart.fromRun;
  if (from === null) return;
  const run = db.prepare('SELECT method, status, model_spec FROM runs WHERE id = ?').get(from) as SourceRun | undefined;
  const what = `coldStart.fromRun ${from}`;
  if (!run) throw new UserError(`${what}: run ${from} does not exist; ${CHOOSE}`);
  if (run.method !== 'uniform') throw new UserError(`${what}: run ${from} is a ${run.method} run; ${CHOOSE}`);
  if (run.status !== 'completed') {
    throw new UserError(`${what}: run ${from} is ${run.status}, not completed; let it finish (dreamprm resume ${from}) or ${CHOOSE}`);
  }
  const hasCheckpoint = db.prepare('SELECT 1 FROM run_checkpoints WHERE run_id = ? LIMIT 1').get(from) !== undefined;
  if (!run.model_spec || !hasCheckpoint) throw new UserError(`${what}: run ${from} has no stored model to start from; ${CHOOSE}`);
  const differs = modelDifferences((JSON.parse(run.model_spec) as { model: unknown }).model, config.model);
  if (differs.length) {
    throw new UserError(
      `${what}: run ${from} trained a different model (${differs.join('; ')}); ` +
        'use the same model settings, or another completed uniform run',
    );
  }
}

/**
 * The model settings that differ, as "model.image: run has true, this config false". The
 * stored settings are read with today's defaults; dropout is a training setting, free to differ.
 */
export function modelDifferences(stored: unknown, wanted: TrainConfig['model']): string[] {
  const had = ModelSchema.parse(stored) as Record<string, unknown>;
  const want = wanted as Record<string, unknown>;
  return Object.keys(had)
    .filter((k) => k !== 'dropout' && JSON.stringify(had[k]) !== JSON.stringify(want[k]))
    .map((k) => `model.${k}: run has ${JSON.stringify(had[k])}, this config ${JSON.stringify(want[k])}`);
}
