import type { Command } from 'commander';
import { UserError } from '../core/errors';
import type { PlanJobRequest } from '../core/api/types';
import { loadTemplates } from '../core/policy/prompts';
import type { JobKind } from '../core/store/jobs-store';
import { POOLS, type Pool } from '../core/types';
import { serverJobAction } from './job-follow';
import { missingImagesOf, number, serverFields, withConnectionOptions, type ConnectionCliOptions } from './server-job';

/** Options shared by `generate` and `label`. */
export interface ServerJobCliOptions extends ConnectionCliOptions {
  pool?: string;
  domain?: string[];
  limit?: string;
  perRequest?: string;
  temperature: string;
  maxTokens: string;
  template?: string;
  continueTemplate?: string;
  relTol: string;
  absTol: string;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The chat jobs' options on top of the server's. */
export function withServerOptions(cmd: Command, kind: JobKind): Command {
  return withConnectionOptions(
    cmd
      .option('--domain <name>', 'only this domain (repeatable; default: every non-excluded domain of the pool)', collect)
      .option('--limit <n>', kind === 'generate' ? 'at most this many questions' : 'at most this many CoTs')
      .option('--per-request <n>', 'completions per HTTP request (the "n" parameter; 1 for servers that ignore it; default: all)')
      .option('--temperature <t>', 'sampling temperature', '0.7')
      .option('--max-tokens <n>', 'completion length limit', '1024')
      .option('--template <file>', 'prompt template with a {question} placeholder (default: five-step structural thinking)')
      .option('--rel-tol <x>', 'relative tolerance when comparing numeric answers', '1e-6')
      .option('--abs-tol <x>', 'absolute tolerance when comparing numeric answers', '1e-9'),
    kind,
  );
}

export function poolOf(value: string | undefined, fallback: Pool): Pool {
  const p = value ?? fallback;
  if (!(POOLS as readonly string[]).includes(p)) throw new UserError(`unknown pool "${p}": use train, meta or test`);
  return p as Pool;
}

/** The plan's settings common to both kinds, from the command line (templates read now, sent as text, stored with the job). */
export function chatRequest(opts: ServerJobCliOptions, pool: Pool): PlanJobRequest {
  return {
    ...serverFields(opts, opts.model),
    templates: loadTemplates({ solve: opts.template, continue: opts.continueTemplate }),
    temperature: number(opts.temperature, '--temperature')!,
    maxTokens: number(opts.maxTokens, '--max-tokens')!,
    perRequest: number(opts.perRequest, '--per-request'),
    relTol: number(opts.relTol, '--rel-tol')!,
    absTol: number(opts.absTol, '--abs-tol')!,
    missingImages: missingImagesOf(opts),
    pool,
    domains: opts.domain,
    limit: number(opts.limit, '--limit'),
  };
}

export function register(program: Command): void {
  withServerOptions(
    program
      .command('generate')
      .description('sample N candidate CoTs per question from a model server (resumable; see README "Working with a model server")')
      .option('--pool <pool>', 'test | meta | train', 'test')
      .option('--n <n>', 'candidate CoTs per question', '8'),
    'generate',
  ).action(async (opts: ServerJobCliOptions & { n: string }) => {
    const pool = poolOf(opts.pool, 'test');
    await serverJobAction(opts, {
      kind: 'generate',
      scope: pool,
      plan: async (api) => {
        const n = number(opts.n, '--n')!;
        const p = await api.planGenerate({ ...chatRequest(opts, pool), n });
        const warn = p.withoutAnswer ? ` (${p.withoutAnswer} questions have no ground-truth answer: their CoTs get no correctness label)` : '';
        return { job: p.job, text: `planned generate job ${p.job.jobId}: ${n} CoTs for each of ${p.items} questions, ${p.requests} requests${warn}` };
      },
    });
  });
}
