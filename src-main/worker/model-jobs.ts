/**
 * Jobs of the training worker that use a trained PRM without training it: a best-of-N
 * evaluation of a run, and per-step scores of a few CoTs (the explorer's side panel). They run
 * in the worker because scoring is tfjs work that must not block the app's event loop.
 */
import type { AggName } from '../core/engine/aggregate';
import { createStepScorer, loadTrainedPrm, type TrainedPrm } from '../core/engine/scoring';
import { startBackend, type BackendRequest } from '../core/engine/tf-backend';
import { evaluateRun, type RunEvaluation } from '../core/eval/run-eval';
import type { Db } from '../core/store/db';
import { latestCheckpoint } from '../core/store/runs-store';

export type ModelJob =
  | { kind: 'evaluate'; runId: number; agg: AggName }
  | { kind: 'score'; runId: number; cotIds: number[] };

export interface ScoreResult {
  runId: number;
  /** the checkpoint step of the PRM that scored */
  step: number;
  scores: Float32Array[];
}

export type ModelJobResult<J extends ModelJob> = J extends { kind: 'evaluate' } ? RunEvaluation : ScoreResult;

/** The last PRM loaded for scoring, kept while its run's latest checkpoint stays the same. */
let cached: { model: TrainedPrm; step: number } | null = null;

function modelFor(db: Db, runId: number): TrainedPrm {
  const step = latestCheckpoint(db, runId)?.step ?? null;
  if (cached && cached.model.runId === runId && cached.step === step) return cached.model;
  cached?.model.dispose();
  cached = null;
  const model = loadTrainedPrm(db, runId);
  cached = { model, step: model.step };
  return model;
}

export function disposeModelCache(): void {
  cached?.model.dispose();
  cached = null;
}

export async function runModelJob(
  db: Db,
  dbKey: string,
  job: ModelJob,
  backend: BackendRequest,
  onProgress: (done: number, total: number) => void,
  log: (message: string) => void,
): Promise<RunEvaluation | ScoreResult> {
  if (job.kind === 'evaluate') {
    return evaluateRun(db, job.runId, { agg: job.agg, backend, onProgress, log });
  }
  // Scoring reads its results asynchronously: it runs on webgpu too.
  await startBackend(backend, { log, syncReads: false });
  const model = modelFor(db, job.runId);
  const scores = await createStepScorer(db, model, dbKey)(job.cotIds);
  onProgress(job.cotIds.length, job.cotIds.length);
  return { runId: job.runId, step: model.step, scores };
}
