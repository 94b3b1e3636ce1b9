import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AGGREGATIONS, isAggName } from '../core/engine/aggregate';
import type { EvaluationReport } from '../core/eval/evaluate';
import { UserError } from '../core/errors';
import { resolveEndpoint } from '../core/policy/endpoint';
import { planScoreJob, type JobProgress } from '../core/policy/jobs';
import { QWEN_PRM_STEP_TAG, QWEN_PRM_SYSTEM, VISUALPRM_SYSTEM } from '../core/policy/prm-requests';
import type { ScoreConfig } from '../core/policy/score-job';
import type { Db } from '../core/store/db';
import { getEvaluation } from '../core/store/eval-store';
import { getJob } from '../core/store/jobs-store';
import { table } from './eval-command';
import { missingImagesOf, number, pricingOf, renderProgress, serverJobAction, withConnectionOptions, type ConnectionCliOptions } from './server-job';

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
  job: JobProgress;
  evaluation: EvaluationReport;
}

function configOf(opts: ScoreCliOptions): ScoreConfig {
  if (opts.mode !== 'generative' && opts.mode !== 'reward') throw new UserError(`--mode must be generative or reward, got "${opts.mode}"`);
  if (!isAggName(opts.agg)) throw new UserError(`--agg must be one of ${AGGREGATIONS.join(', ')} (got "${opts.agg}")`);
  const model = opts.model ?? process.env.DREAMPRM_PRM_MODEL;
  if (!model) throw new UserError('no PRM given: pass --model NAME (as the server lists it under /models) or set DREAMPRM_PRM_MODEL');
  const endpoint = resolveEndpoint({ baseUrl: opts.baseUrl, model });
  const pricing = pricingOf(opts);
  let system = opts.mode === 'generative' ? VISUALPRM_SYSTEM : QWEN_PRM_SYSTEM;
  if (opts.system) {
    try {
      system = readFileSync(opts.system, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read --system ${opts.system}: ${(e as Error).message}`);
    }
  }
  return {
    endpoint: { baseUrl: endpoint.baseUrl, model: endpoint.model },
    mode: opts.mode,
    input: opts.textOnly ? 'text' : 'multimodal',
    system,
    goodToken: opts.good,
    badToken: opts.bad,
    topLogprobs: number(opts.topLogprobs, '--top-logprobs')!,
    stepTag: opts.stepTag,
    rewardPath: opts.rewardPath,
    poolingTask: opts.poolingTask ?? null,
    label: opts.label ?? `external PRM: ${endpoint.model}`,
    agg: opts.agg,
    ...(pricing ? { pricing } : {}),
    missingImages: missingImagesOf(opts),
  };
}

function outcome(db: Db, job: JobProgress): ScoreOutcome {
  const id = (getJob(db, job.jobId)!.summary as { evaluationId?: number }).evaluationId;
  const evaluation = id === undefined ? undefined : getEvaluation(db, id);
  if (!evaluation) throw new UserError(`score job ${job.jobId} completed without an evaluation: run it again (--job ${job.jobId})`);
  return { job, evaluation };
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
      plan: (db) => {
        const p = planScoreJob(db, configOf(opts));
        const skipped = p.skipped ? ` (${p.skipped} candidates without a correctness label are left out)` : '';
        return { jobId: p.jobId, text: `planned score job ${p.jobId}: ${p.steps} steps of ${p.candidates} test candidates, ${p.requests} requests${skipped}` };
      },
      done: { value: outcome, render },
    });
  });
}
