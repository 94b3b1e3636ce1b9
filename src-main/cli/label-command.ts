import type { Command } from 'commander';
import { chatRequest, poolOf, withServerOptions, type ServerJobCliOptions } from './generate-command';
import { serverJobAction } from './job-follow';
import { number } from './server-job';

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
      plan: async (api) => {
        const k = number(opts.k, '--k')!;
        const p = await api.planLabel({ ...chatRequest(opts, pool), k, relabel: opts.relabel ?? false });
        const notes = [
          p.finalSteps ? `${p.finalSteps} final-answer steps labelled by checking the answer` : '',
          p.withoutAnswer ? `${p.withoutAnswer} CoTs skipped: their question has no ground-truth answer` : '',
        ].filter(Boolean);
        return {
          job: p.job,
          text: `planned label job ${p.job.jobId}: ${p.steps ?? 0} steps of ${p.items} CoTs × ${k} rollouts, ${p.requests} requests${notes.length ? ` (${notes.join('; ')})` : ''}`,
        };
      },
    });
  });
}
