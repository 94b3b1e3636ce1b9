/** Evaluations in the API: run one in the training worker, list them, read one with its truth comparison. */
import { z } from 'zod';
import { AGGREGATIONS, type AggName } from '../engine/aggregate';
import type { RunEvaluation } from '../eval/run-eval';
import { BACKEND_CHOICES, type BackendChoice } from '../../../src-shared/training';
import { compareWithTruth } from '../eval/truth';
import type { Db } from '../store/db';
import { getEvaluation, listEvaluations } from '../store/eval-store';
import { getRun } from '../store/runs-store';
import { id, jobId, NotFoundError, parseArgs } from './args';
import type { EventHub } from './events';
import type { EvaluationDetail, EvaluationSummary, StudioApi } from './types';

export type EvalApi = Pick<StudioApi, 'evaluateRun' | 'listEvaluations' | 'getEvaluation'>;

/** Work with a trained PRM that must run off the app's event loop: in the app, the training worker. */
export interface PrmJobs {
  evaluate(runId: number, agg: AggName, onProgress: (done: number, total: number) => void, backend?: BackendChoice): Promise<RunEvaluation>;
  score(runId: number, cotIds: number[]): Promise<{ step: number; scores: Float32Array[] }>;
}

const PROGRESS_MS = 100;

export function evaluationDetail(db: Db, evaluationId: number): EvaluationDetail {
  const report = getEvaluation(db, evaluationId);
  if (!report) throw new NotFoundError(`no evaluation with id ${evaluationId}`);
  const created = db.prepare('SELECT created_at FROM evaluations WHERE id = ?').pluck().get(evaluationId) as string;
  let truth: EvaluationDetail['truth'] = null;
  if (report.runId !== null) {
    // Against the run's weights as they are now (the same once the run has finished).
    const t = compareWithTruth(db, getRun(db, report.runId).domainWeights);
    if (t) {
      truth = {
        truthFile: t.truthFile,
        spearman: t.spearman,
        domains: Object.keys(t.truthQuality).map((d) => ({ domain: d, weight: t.domainWeights[d], quality: t.truthQuality[d] })),
      };
    }
  }
  return {
    evaluationId,
    runId: report.runId,
    label: report.label,
    agg: report.agg,
    createdAt: created,
    seconds: report.seconds,
    selection: report.selection ?? null,
    benchmarks: report.benchmarks,
    average: report.average,
    tasks: report.tasks ?? [],
    skippedCandidates: report.skippedCandidates,
    truth,
  };
}

export function createEvalApi(db: Db, jobs: PrmJobs, events: EventHub): EvalApi {
  return {
    async evaluateRun(args) {
      const a = parseArgs(
        'evaluateRun',
        z
          .object({
            runId: id,
            agg: z.enum(AGGREGATIONS as unknown as [AggName, ...AggName[]]).optional(),
            jobId,
            backend: z.enum(BACKEND_CHOICES).optional(),
          })
          .strict(),
        args,
      );
      if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(a.runId)) throw new NotFoundError(`run ${a.runId} does not exist`);
      let last = 0;
      const report = await jobs.evaluate(a.runId, a.agg ?? 'logodds', (done, total) => {
        const now = Date.now();
        if (done < total && now - last < PROGRESS_MS) return;
        last = now;
        events.emit({ type: 'eval-progress', jobId: a.jobId ?? null, runId: a.runId, done, total });
      }, a.backend);
      // What computed it is known only now (it is not stored): the caller may show it.
      return { ...evaluationDetail(db, report.evaluationId), backend: report.backend, ...(report.device ? { device: report.device } : {}) };
    },

    async listEvaluations(args) {
      const a = parseArgs('listEvaluations', z.object({ runId: id.optional() }).strict(), args);
      return listEvaluations(db, a.runId).map((e): EvaluationSummary => ({ ...e })).reverse();
    },

    async getEvaluation(args) {
      const a = parseArgs('getEvaluation', z.object({ evaluationId: id }).strict(), args);
      return evaluationDetail(db, a.evaluationId);
    },
  };
}
