/**
 * Planning the generate and label jobs in the API. Every setting the CLI has is a field of the
 * request (templates as text: the API reads no files), so the CLI plans through here too.
 */
import { z } from 'zod';
import { DEFAULT_MATCH } from '../policy/answer-match';
import type { GenerateConfig, LabelConfig, PolicyJobConfig } from '../policy/job-config';
import { planGenerateJob, planLabelJob } from '../policy/jobs';
import { checkTemplate, DEFAULT_TEMPLATES } from '../policy/prompts';
import type { Db } from '../store/db';
import { parseArgs, pool } from './args';
import type { PlanContext } from './external-jobs-api';
import { concurrency, missingImages, price, url } from './model-server-settings';
import type { Pool, StudioApi } from './types';

const template = z.string().min(1).max(100_000);
// Ranges the planner checks itself (checkCommon) stay plain numbers here, so its messages are the ones seen.
const planFields = {
  pool: pool.optional(),
  baseUrl: url.optional(),
  model: z.string().trim().max(500).optional(),
  pricePromptPer1k: price.optional(),
  priceCompletionPer1k: price.optional(),
  concurrency: concurrency.optional(),
  perRequest: z.number().int().min(1).max(1000).optional(),
  limit: z.number().int().min(1).optional(),
  domains: z.array(z.string().max(500)).max(10_000).optional(),
  temperature: z.number().finite().optional(),
  maxTokens: z.number().finite().optional(),
  templates: z.object({ solve: template.optional(), continue: template.optional() }).strict().optional(),
  relTol: z.number().finite().min(0).optional(),
  absTol: z.number().finite().min(0).optional(),
  missingImages: missingImages.optional(),
};
const samples = z.number().int().min(1).max(1000);
type PlanFields = z.infer<z.ZodObject<typeof planFields>>;

/** The request's templates over the defaults, each checked for its placeholders. */
function templatesOf(t: PlanFields['templates']): PolicyJobConfig['templates'] {
  const out = { ...DEFAULT_TEMPLATES, ...t };
  if (t?.solve) checkTemplate(out.solve, 'solve', 'templates.solve');
  if (t?.continue) checkTemplate(out.continue, 'continue', 'templates.continue');
  return out;
}

/** The job settings generate and label share: the request's values, else the stored settings and defaults. */
function commonConfig(ctx: PlanContext, req: PlanFields, fallbackPool: Pool, n: number): PolicyJobConfig {
  const pricing = ctx.pricingOf(req);
  return {
    endpoint: ctx.endpointOf(req.baseUrl, req.model),
    templates: templatesOf(req.templates),
    temperature: req.temperature ?? 0.7,
    maxTokens: req.maxTokens ?? 1024,
    perRequest: req.perRequest ?? n,
    match: { relTol: req.relTol ?? DEFAULT_MATCH.relTol, absTol: req.absTol ?? DEFAULT_MATCH.absTol },
    ...(pricing ? { pricing } : {}),
    missingImages: req.missingImages ?? 'fail',
    pool: req.pool ?? fallbackPool,
    domains: req.domains?.length ? req.domains : null,
    limit: req.limit ?? null,
  };
}

export function createChatPlanners(db: Db, ctx: PlanContext): Pick<StudioApi, 'planGenerate' | 'planLabel'> {
  return {
    async planGenerate(args) {
      const a = parseArgs('planGenerate', z.object({ ...planFields, n: samples }).strict(), args);
      const config: GenerateConfig = { ...commonConfig(ctx, a, 'test', a.n), n: a.n };
      const p = planGenerateJob(db, config);
      return ctx.planned(p.jobId, p.requests, p.questions, p.withoutAnswer, a.concurrency);
    },

    async planLabel(args) {
      const a = parseArgs('planLabel', z.object({ ...planFields, k: samples, relabel: z.boolean().optional() }).strict(), args);
      const config: LabelConfig = { ...commonConfig(ctx, a, 'train', a.k), k: a.k, relabel: a.relabel ?? false };
      const p = planLabelJob(db, config);
      // Final-answer steps are labelled by checking the answer, without a request: the CLI says how many.
      return ctx.planned(p.jobId, p.requests, p.cots, p.withoutAnswer, a.concurrency, { steps: p.steps, finalSteps: p.finalSteps });
    },
  };
}
