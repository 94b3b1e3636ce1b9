import type { Command } from 'commander';
import type { LabelConfig } from '../core/policy/job-config';
import { planLabelJob } from '../core/policy/jobs';
import { commonConfig, poolOf, withServerOptions, type ServerJobCliOptions } from './generate-command';
import { number, serverJobAction } from './server-job';

interface LabelCliOptions extends ServerJobCliOptions {
  k: string;
  relabel?: boolean;
}

export function register(program: Command): void {
  withServerOptions(
    program
      .command('label')
      .description('Monte Carlo step labels: K rollouts from every step prefix, m = fraction reaching the answer (resumable)')
      .option('--pool <pool>', 'train | meta | test', 'train')
      .option('--k <k>', 'rollouts per step prefix', '8')
      .option('--relabel', 'also label steps that already have a Monte Carlo label')
      .option('--continue-template <file>', 'rollout prompt with {question} and {prefix} placeholders'),
    'label',
  ).action(async (opts: LabelCliOptions) => {
    const pool = poolOf(opts.pool, 'train');
    await serverJobAction(opts, {
      kind: 'label',
      scope: pool,
      plan: (db) => {
        const k = number(opts.k, '--k')!;
        const config: LabelConfig = { ...commonConfig(opts, pool, k), k, relabel: opts.relabel ?? false };
        const p = planLabelJob(db, config);
        const notes = [
          p.finalSteps ? `${p.finalSteps} final-answer steps labelled by checking the answer` : '',
          p.withoutAnswer ? `${p.withoutAnswer} CoTs skipped: their question has no ground-truth answer` : '',
        ].filter(Boolean);
        return {
          jobId: p.jobId,
          text: `planned label job ${p.jobId}: ${p.steps} steps of ${p.cots} CoTs × ${k} rollouts, ${p.requests} requests${notes.length ? ` (${notes.join('; ')})` : ''}`,
        };
      },
    });
  });
}
