import type { Command } from 'commander';
import { cancelJob, jobProgress, listJobProgress } from '../core/policy/jobs';
import { UserError } from '../core/errors';
import { runAction, withCommon, type CommonOptions } from './common';
import { renderStatus } from './generate-command';

function jobId(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw new UserError(`job id must be a positive integer (got ${JSON.stringify(raw)})`);
  return id;
}

/** Lists the model-server jobs (generate, label) with their progress, or cancels one. */
export function register(program: Command): void {
  withCommon(program.command('jobs').description('list model-server jobs (generate, label) with progress and cost'))
    .option('--kind <kind>', 'generate | label')
    .option('--cancel <id>', 'ask the process running this job to stop; finished requests are kept')
    .action((opts: CommonOptions & { kind?: string; cancel?: string }) =>
      runAction(
        opts,
        (db) => {
          if (opts.cancel !== undefined) {
            const id = jobId(opts.cancel);
            cancelJob(db, id);
            return { jobs: [jobProgress(db, id)] };
          }
          if (opts.kind && opts.kind !== 'generate' && opts.kind !== 'label') {
            throw new UserError(`--kind must be generate or label (got ${JSON.stringify(opts.kind)})`);
          }
          return { jobs: listJobProgress(db, opts.kind as 'generate' | 'label' | undefined) };
        },
        renderStatus,
      ),
    );
}
