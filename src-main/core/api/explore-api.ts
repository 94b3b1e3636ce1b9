/** The explorer and the review in the API: instance tables of runs, one instance, PRM scores, evaluation review. */
import { z } from 'zod';
import { isAggName } from '../engine/aggregate';
import { domainHistograms, instanceDetail } from '../explore/instance';
import { computeLosses } from '../explore/losses';
import { ensureExplorerTable, explorerTableRow } from '../explore/instance-table';
import { MAX_PAGE, pageInstances } from '../explore/query';
import { reviewIndex, reviewQuestion } from '../explore/review';
import { INSTANCE_SORTS, REVIEW_FILTERS, type InstanceSort, type ReviewFilter } from '../explore/types';
import { UserError } from '../errors';
import type { Db } from '../store/db';
import { id, NotFoundError, parseArgs } from './args';
import type { PrmJobs } from './eval-api';
import type { EventHub } from './events';
import type { StudioApi } from './types';

export type ExploreApi = Pick<
  StudioApi,
  | 'explorerInfo'
  | 'explorerPage'
  | 'explorerHistograms'
  | 'getInstance'
  | 'scoreCot'
  | 'computeLosses'
  | 'reviewIndex'
  | 'reviewQuestion'
>;

const weight = z.number().finite().nullable().optional();
const query = z
  .object({
    sort: z.enum(INSTANCE_SORTS as unknown as [InstanceSort, ...InstanceSort[]]).optional(),
    desc: z.boolean().optional(),
    domain: z.string().max(200).nullable().optional(),
    minWeight: weight,
    maxWeight: weight,
    search: z.string().max(200).nullable().optional(),
    offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    limit: z.number().int().min(1).max(MAX_PAGE).optional(),
  })
  .strict();
const agg = z
  .string()
  .refine((s) => isAggName(s), { message: 'not an aggregation (mean, logodds, min, max, prod, last)' })
  .optional();
const otherEvaluationId = id.nullable().optional();

export function createExploreApi(db: Db, jobs: PrmJobs, events: EventHub): ExploreApi {
  function checkRun(runId: number): void {
    if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw new NotFoundError(`run ${runId} does not exist`);
  }

  /** The run's table, built (with progress events) when it has none yet. */
  async function ensure(runId: number, rebuild = false) {
    checkRun(runId);
    return ensureExplorerTable(db, runId, {
      rebuild,
      onProgress: (p) => events.emit({ type: 'explore-progress', runId, ...p }),
    });
  }

  return {
    async explorerInfo(args) {
      const a = parseArgs('explorerInfo', z.object({ runId: id, rebuild: z.boolean().optional() }).strict(), args);
      return ensure(a.runId, a.rebuild);
    },

    async explorerPage(args) {
      const a = parseArgs('explorerPage', z.object({ runId: id, query, withTotal: z.boolean().optional() }).strict(), args);
      if (!explorerTableRow(db, a.runId)) await ensure(a.runId);
      return pageInstances(db, a.runId, a.query, a.withTotal ?? false);
    },

    async explorerHistograms(args) {
      const a = parseArgs('explorerHistograms', z.object({ runId: id, bins: z.number().int().min(2).max(200).optional() }).strict(), args);
      if (!explorerTableRow(db, a.runId)) await ensure(a.runId);
      return domainHistograms(db, a.runId, a.bins ?? 24);
    },

    async getInstance(args) {
      const a = parseArgs('getInstance', z.object({ runId: id, idx: z.number().int().min(0) }).strict(), args);
      if (!explorerTableRow(db, a.runId)) await ensure(a.runId);
      return instanceDetail(db, a.runId, a.idx);
    },

    async scoreCot(args) {
      const a = parseArgs('scoreCot', z.object({ runId: id, cotId: id }).strict(), args);
      checkRun(a.runId);
      if (!db.prepare('SELECT 1 FROM cots WHERE id = ?').get(a.cotId)) throw new NotFoundError(`no CoT with id ${a.cotId}`);
      const r = await jobs.score(a.runId, [a.cotId]);
      const scores = r.scores[0];
      if (!scores) throw new UserError(`the PRM of run ${a.runId} returned no scores for CoT ${a.cotId}`);
      return { cotId: a.cotId, runId: a.runId, step: r.step, scores: Array.from(scores) };
    },

    async computeLosses(args) {
      const a = parseArgs('computeLosses', z.object({ runId: id }).strict(), args);
      if (!explorerTableRow(db, a.runId)) await ensure(a.runId);
      let last = 0;
      return computeLosses(db, a.runId, (cotIds) => jobs.score(a.runId, cotIds), {
        onProgress: (done, total) => {
          const now = Date.now();
          if (done < total && now - last < 100) return;
          last = now;
          events.emit({ type: 'explore-progress', runId: a.runId, phase: 'losses', done, total });
        },
      });
    },

    async reviewIndex(args) {
      const a = parseArgs(
        'reviewIndex',
        z
          .object({
            evaluationId: id,
            filter: z.enum(REVIEW_FILTERS as unknown as [ReviewFilter, ...ReviewFilter[]]).optional(),
            otherEvaluationId,
            agg,
          })
          .strict(),
        args,
      );
      return reviewIndex(db, a.evaluationId, a.filter ?? 'all', { agg: a.agg, otherEvaluationId: a.otherEvaluationId });
    },

    async reviewQuestion(args) {
      const a = parseArgs(
        'reviewQuestion',
        z.object({ evaluationId: id, questionId: id, otherEvaluationId, agg }).strict(),
        args,
      );
      return reviewQuestion(db, a.evaluationId, a.questionId, { agg: a.agg, otherEvaluationId: a.otherEvaluationId });
    },
  };
}
