import type { Db } from '../store/db';
import { UserError } from '../errors';
import { getModelSpec, getRun } from '../store/runs-store';
import type { ModelConfig, TrainConfig } from './config';
import { checkpointParams } from './run-checkpoint';
import { storedModelConfig, type ModelSpecJson } from './training-data';

/** The run a cold start reuses, checked to be a completed uniform run; null without a cold start. */
function coldStartSource(db: Db, config: TrainConfig): number | null {
  const from = config.coldStart.fromRun;
  if (from === null) return null;
  const src = getRun(db, from);
  if (src.status !== 'completed') {
    throw new UserError(`coldStart.fromRun: run ${from} is ${src.status}; cold start needs a completed uniform run`);
  }
  if (src.method !== 'uniform') {
    throw new UserError(`coldStart.fromRun: run ${from} is a ${src.method} run; cold start needs a completed uniform run`);
  }
  return from;
}

/** A cold start reuses the uniform run's model: same architecture, same vocabulary. */
export function coldStartSpec(db: Db, config: TrainConfig): ModelSpecJson | null {
  const from = coldStartSource(db, config);
  if (from === null) return null;
  const spec = getModelSpec<ModelSpecJson>(db, from);
  if (!spec) throw new UserError(`coldStart.fromRun: run ${from} has no stored model`);
  // Compare architectures (stored settings re-read with today's defaults; dropout is a
  // training setting, free to differ).
  const stored = storedModelConfig(spec.model, from);
  const arch = (m: ModelConfig) => {
    const { dropout: _dropout, ...rest } = m;
    return JSON.stringify(rest);
  };
  if (arch(stored) !== arch(config.model)) {
    throw new UserError(
      `coldStart.fromRun: run ${from} trained a different model (its "model" settings differ from this config's); ` +
        'use the same model settings or another run',
    );
  }
  return { ...spec, model: { ...stored, dropout: config.model.dropout } };
}

export function coldStartParams(db: Db, config: TrainConfig): Record<string, Float32Array> | undefined {
  const from = coldStartSource(db, config);
  if (from === null) return undefined;
  const params = checkpointParams(db, from);
  if (!params) throw new UserError(`coldStart.fromRun: run ${from} has no checkpoint to start from`);
  return params;
}
