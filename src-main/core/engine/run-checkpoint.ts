import type { Db } from '../store/db';
import { latestCheckpoint } from '../store/runs-store';
import { unpackState } from './checkpoint';
import type { EngineState } from './engine';

/** Checkpoint contents beyond the engine's state. */
export interface RunCheckpoint {
  engine: EngineState;
  seconds: number;
  recentTrain: number[];
  recentMeta: number[];
}

/** A run's newest checkpoint with its step, or null before its first one. */
export function readRunCheckpoint(db: Db, runId: number): { step: number; state: RunCheckpoint } | null {
  const ck = latestCheckpoint(db, runId);
  return ck ? { step: ck.step, state: unpackState<RunCheckpoint>(ck.state) } : null;
}

/** The PRM weights of a run's newest checkpoint, or null before its first one. */
export function checkpointParams(db: Db, runId: number): Record<string, Float32Array> | null {
  const ck = readRunCheckpoint(db, runId);
  return ck ? ck.state.engine.lower.params : null;
}
