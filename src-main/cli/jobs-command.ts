import type { Command } from 'commander';
import { UserError } from '../core/errors';
import type { JobKind } from '../core/store/jobs-store';
import { withCommon, withStudio, type CommonOptions } from './common';
import { renderStatus } from './server-job';

function jobId(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw new UserError(`job id must be a positive integer (got ${JSON.stringify(raw)})`);
  return id;
}

const KINDS: readonly JobKind[] = ['generate', 'label', 'embed', 'score'];

/** Lists the model-server jobs (generate, label, embed, score) with their progress, or cancels one. */
export function register(program: Command): void {
  withCommon(program.command('jobs').description('list model-server jobs (generate, label, embed, score) with progress and cost'))
    .option('--kind <kind>', KINDS.join(' | '))
    .option('--cancel <id>', 'ask the process running this job to stop; finished requests are kept')
    .action((opts: CommonOptions & { kind?: string; cancel?: string }) =>
      withStudio(
        opts,
        async (api) => {
          if (opts.cancel !== undefined) return { jobs: [await api.cancelJob({ jobId: jobId(opts.cancel) })] };
          if (opts.kind && !(KINDS as readonly string[]).includes(opts.kind)) {
            throw new UserError(`--kind must be one of ${KINDS.join(', ')} (got ${JSON.stringify(opts.kind)})`);
          }
          const jobs = await api.listJobs();
          return { jobs: opts.kind ? jobs.filter((j) => j.kind === opts.kind) : jobs };
        },
        renderStatus,
      ),
    );
}
