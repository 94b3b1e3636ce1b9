import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { StudioApi } from '../core/api/studio-api';
import type { EvaluationDetail, PlanScoreRequest, PolicyJobInfo } from '../core/api/types';
import { AGGREGATIONS, isAggName } from '../core/engine/aggregate';
import { UserError } from '../core/errors';
import { QWEN_PRM_STEP_TAG } from '../core/policy/prm-requests';
import { table } from './eval-command';
import { serverJobAction } from './job-follow';
import { missingImagesOf, number, renderProgress, serverFields, withConnectionOptions, type ConnectionCliOptions } from './server-job';

interface ScoreCliOptions extends ConnectionCliOptions {
  mode: string;
  textOnly?: boolean;
  label?: string;
  agg: string;
  system?: string;
  good: string;
  bad: string;
  topLogprobs: string;
  stepTag: string;
  rewardPath: string;
  poolingTask?: string;
}

interface ScoreOutcome {
  job: PolicyJobInfo;
  evaluation: EvaluationDetail;
}

function requestOf(opts: ScoreCliOptions): PlanScoreRequest {
  if (opts.mode !== 'generative' && opts.mode !== 'reward') throw new UserError(`--mode must be generative or reward, got "${opts.mode}"`);
  if (!isAggName(opts.agg)) throw new UserError(`--agg must be one of ${AGGREGATIONS.join(', ')} (got "${opts.agg}")`);
  const model = opts.model ?? process.env.DREAMPRM_PRM_MODEL;
  if (!model) throw new UserError('no PRM given: pass --model NAME (as the server lists it under /models) or set DREAMPRM_PRM_MODEL');
  return {
    ...serverFields(opts, model),
    mode: opts.mode,
    textOnly: opts.textOnly ?? false,
    system: opts.system ? readText(opts.system) : undefined,
    goodToken: opts.good,
    badToken: opts.bad,
    topLogprobs: number(opts.topLogprobs, '--top-logprobs')!,
    stepTag: opts.stepTag,
    rewardPath: opts.rewardPath,
    poolingTask: opts.poolingTask ?? null,
    label: opts.label,
    agg: opts.agg,
    missingImages: missingImagesOf(opts),
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read --system ${path}: ${(e as Error).message}`);
  }
}

/** The completed job and the evaluation it stored, both as the API gives them. */
async function outcome(api: StudioApi, job: PolicyJobInfo): Promise<ScoreOutcome> {
  if (job.evaluationId === null) throw new UserError(`score job ${job.jobId} completed without an evaluation: run it again (--job ${job.jobId})`);
  return { job, evaluation: await api.getEvaluation({ evaluationId: job.evaluationId }) };
}

function render(o: ScoreOutcome): string {
  const e = o.evaluation;
  const rows = [...e.benchmarks, e.average].map((b) => [
    b.benchmark,
    String(b.questions),
    b.passAt1.toFixed(1),
    b.selfConsistency.toFixed(1),
    b.oracle.toFixed(1),
    b.bon[e.agg].toFixed(1),
    b.stepAuroc == null ? '—' : b.stepAuroc.toFixed(3),
  ]);
  return [
    renderProgress(o.job),
    `evaluation ${e.evaluationId} "${e.label}" (external PRM), best-of-N accuracy in %`,
    table([['benchmark', 'questions', 'pass@1', 'self-cons', 'oracle', `PRM:${e.agg}`, 'step AUROC'], ...rows]),
  ].join('\n');
}

export function register(program: Command): void {
  withConnectionOptions(
    program
      .command('score')
      .description('score every test candidate with a PRM served elsewhere and store it as an evaluation (resumable; see README "Step vectors and external PRMs")')
      .requiredOption('--mode <mode>', 'generative (P("+") from chat logprobs, VisualPRM style) | reward (per-step rewards from the pooling API)')
      .option('--text-only', 'the PRM takes no images: send the text alone')
      .option('--label <name>', 'the evaluation\'s name (default: "external PRM: <model>")')
      .option('--agg <agg>', `aggregation reported first: ${AGGREGATIONS.join(' | ')}`, 'logodds')
      .option('--system <file>', 'the system turn (default: VisualPRM\'s instruction, or Qwen2.5-Math-PRM\'s)')
      .option('--good <token>', 'generative: the answer for a good step', '+')
      .option('--bad <token>', 'generative: the answer for a bad step', '-')
      .option('--top-logprobs <n>', 'generative: alternatives asked per token', '20')
      .option('--step-tag <tag>', 'reward: the tag after each step', QWEN_PRM_STEP_TAG)
      .option('--reward-path <path>', 'reward: the pooling API\'s path on the server\'s root', '/pooling')
      .option('--pooling-task <task>', 'reward: the "task" to send with each request (newer vLLM: token_classify)'),
    'score',
    'the PRM as the server knows it (default: $DREAMPRM_PRM_MODEL)',
  ).action(async (opts: ScoreCliOptions) => {
    await serverJobAction(opts, {
      kind: 'score',
      scope: 'test',
      plan: async (api) => {
        const p = await api.planScore(requestOf(opts));
        const skipped = p.withoutAnswer ? ` (${p.withoutAnswer} candidates without a correctness label are left out)` : '';
        return { job: p.job, text: `planned score job ${p.job.jobId}: ${p.steps ?? 0} steps of ${p.items} test candidates, ${p.requests} requests${skipped}` };
      },
      done: { value: outcome, render },
    });
  });
}
