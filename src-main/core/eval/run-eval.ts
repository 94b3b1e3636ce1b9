import type { AggName } from '../engine/aggregate';
import { createStepScorer, loadTrainedPrm } from '../engine/scoring';
import { parseTrainConfig } from '../engine/config';
import { startBackend, type BackendRequest } from '../engine/tf-backend';
import { UserError } from '../errors';
import type { Db } from '../store/db';
import { getRun } from '../store/runs-store';
import { evaluate, type EvaluationReport } from './evaluate';
import { compareWithTruth, type TruthComparison } from './truth';

export interface RunEvaluation extends EvaluationReport {
  backend: string;
  /** what computed the scores: GPU name, WebGPU adapter or CPU */
  device?: string;
  truth: TruthComparison | null;
}

/** Best-of-N evaluation of a trained run's PRM on the test pool (stored), with the truth comparison. */
export async function evaluateRun(
  db: Db,
  runId: number,
  opts: { agg?: AggName; backend?: BackendRequest; onProgress?: (done: number, total: number) => void; log?: (m: string) => void } = {},
): Promise<RunEvaluation> {
  const run = getRun(db, runId);
  if (run.status !== 'completed') {
    opts.log?.(`run ${runId} is ${run.status}: evaluating its latest checkpoint (step ${run.lastCheckpointStep ?? '?'})`);
  }
  const config = parseTrainConfig(run.config, `run ${runId} config`);
  const { name: backend, device } = await startBackend(opts.backend ?? 'auto', { log: opts.log, model: config.model, syncReads: false });
  const model = loadTrainedPrm(db, runId);
  try {
    const report = await evaluate(db, {
      runId,
      label: run.name ?? `run ${runId} (${run.method})`,
      agg: opts.agg,
      scorer: createStepScorer(db, model),
      onProgress: opts.onProgress,
    });
    return { ...report, backend, device, truth: compareWithTruth(db, run.domainWeights) };
  } finally {
    model.dispose();
  }
}

export function parseRunId(raw: string | undefined, option = '--run'): number {
  const id = Number(raw);
  if (raw === undefined || !Number.isInteger(id) || id <= 0) {
    throw new UserError(`${option} needs a run id, a positive integer (got ${JSON.stringify(raw)}); \`dreamprm runs list\` shows them`);
  }
  return id;
}
