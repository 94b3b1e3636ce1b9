/**
 * Planning the embed and score jobs in the API (they run like the other model-server jobs).
 * Their model is named in the request: an embedding model or a PRM is seldom the policy
 * model of the settings, and is often served on its own port.
 */
import { z } from 'zod';
import { DEFAULT_EMBED_BATCH, DEFAULT_EMBED_TEMPLATE, planEmbedJob, type EmbedConfig } from '../policy/embed-job';
import type { Pricing } from '../policy/job-runner';
import { QWEN_PRM_STEP_TAG, QWEN_PRM_SYSTEM, VISUALPRM_SYSTEM } from '../policy/prm-requests';
import { planScoreJob, type ScoreConfig } from '../policy/score-job';
import type { Db } from '../store/db';
import { parseArgs, pool } from './args';
import { AGGREGATIONS } from '../engine/aggregate';
import { concurrency, missingImages, price, url } from './model-server-settings';
import type { PlannedJob, StudioApi } from './types';

export interface PlanContext {
  endpointOf(baseUrl: string | undefined, model: string | undefined): { baseUrl: string; model: string };
  pricingOf(req: { pricePromptPer1k?: number | null; priceCompletionPer1k?: number | null }): Pricing | undefined;
  planned(jobId: number, requests: number, items: number, withoutAnswer: number, conc: number | undefined, extra?: Partial<PlannedJob>): PlannedJob;
}

const server = {
  baseUrl: url.optional(),
  model: z.string().trim().min(1).max(500),
  textOnly: z.boolean().optional(),
  pricePromptPer1k: price.optional(),
  concurrency: concurrency.optional(),
  missingImages: missingImages.optional(),
};
const text = z.string().min(1).max(100_000);
const token = z.string().min(1).max(100);
const embedArgs = z
  .object({
    ...server,
    pools: z.array(pool).min(1).optional(),
    perRequest: z.number().int().min(1).max(2048).optional(),
    missingOnly: z.boolean().optional(),
    dimensions: z.number().int().min(1).max(65536).optional(),
    limit: z.number().int().min(1).optional(),
    template: text.optional(),
  })
  .strict();
const scoreArgs = z
  .object({
    ...server,
    mode: z.enum(['generative', 'reward']),
    label: z.string().trim().min(1).max(200).optional(),
    priceCompletionPer1k: price.optional(),
    system: text.optional(),
    goodToken: token.optional(),
    badToken: token.optional(),
    topLogprobs: z.number().int().min(1).max(100).optional(),
    stepTag: token.optional(),
    rewardPath: z.string().min(1).max(500).optional(),
    poolingTask: z.string().min(1).max(100).nullable().optional(),
    agg: z.enum(AGGREGATIONS).optional(),
  })
  .strict();

export function createExternalPlanners(db: Db, ctx: PlanContext): Pick<StudioApi, 'planEmbed' | 'planScore'> {
  return {
    async planEmbed(args) {
      const a = parseArgs('planEmbed', embedArgs, args);
      const pricing = ctx.pricingOf({ pricePromptPer1k: a.pricePromptPer1k, priceCompletionPer1k: null });
      const config: EmbedConfig = {
        endpoint: ctx.endpointOf(a.baseUrl, a.model),
        pools: a.pools ?? ['train', 'meta', 'test'],
        input: a.textOnly ? 'text' : 'multimodal',
        template: a.template ?? DEFAULT_EMBED_TEMPLATE,
        perRequest: a.perRequest ?? DEFAULT_EMBED_BATCH,
        dimensions: a.dimensions ?? null,
        steps: a.missingOnly ? 'missing' : 'all',
        ...(pricing ? { pricing } : {}),
        missingImages: a.missingImages ?? 'fail',
        limit: a.limit ?? null,
      };
      const p = planEmbedJob(db, config);
      const extra = { estimatedTokens: p.estimatedTokens, estimatedCost: p.estimatedCost, cots: p.cots, images: p.images };
      return ctx.planned(p.jobId, p.requests, p.steps, 0, a.concurrency, extra);
    },

    async planScore(args) {
      const a = parseArgs('planScore', scoreArgs, args);
      const pricing = ctx.pricingOf(a);
      const endpoint = ctx.endpointOf(a.baseUrl, a.model);
      const config: ScoreConfig = {
        endpoint,
        mode: a.mode,
        input: a.textOnly ? 'text' : 'multimodal',
        system: a.system ?? (a.mode === 'generative' ? VISUALPRM_SYSTEM : QWEN_PRM_SYSTEM),
        goodToken: a.goodToken ?? '+',
        badToken: a.badToken ?? '-',
        topLogprobs: a.topLogprobs ?? 20,
        stepTag: a.stepTag ?? QWEN_PRM_STEP_TAG,
        rewardPath: a.rewardPath ?? '/pooling',
        poolingTask: a.poolingTask ?? null,
        label: a.label ?? `external PRM: ${endpoint.model}`,
        agg: a.agg ?? 'logodds',
        ...(pricing ? { pricing } : {}),
        missingImages: a.missingImages ?? 'fail',
      };
      const p = planScoreJob(db, config);
      return ctx.planned(p.jobId, p.requests, p.candidates, p.skipped, a.concurrency, { steps: p.steps });
    },
  };
}
