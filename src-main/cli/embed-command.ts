import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../core/errors';
import type { PlanEmbedRequest } from '../core/api/types';
import { DEFAULT_EMBED_BATCH, DEFAULT_EMBED_TEMPLATE } from '../core/policy/embed-job';
import { POOLS, type Pool } from '../core/types';
import { collect } from './generate-command';
import { serverJobAction } from './job-follow';
import { missingImagesOf, number, serverFields, withConnectionOptions, type ConnectionCliOptions } from './server-job';

interface EmbedCliOptions extends ConnectionCliOptions {
  pool?: string[];
  textOnly?: boolean;
  perRequest?: string;
  dimensions?: string;
  missingOnly?: boolean;
  template?: string;
  limit?: string;
}

/** The pools to embed, in a fixed order (it is part of the job's identity for a resume). */
function poolsOf(values: string[] | undefined): Pool[] {
  const given = values?.length ? values : [...POOLS];
  const bad = given.filter((p) => !(POOLS as readonly string[]).includes(p));
  if (bad.length) throw new UserError(`unknown pool "${bad[0]}": use train, meta or test`);
  return POOLS.filter((p) => given.includes(p));
}

function templateOf(path: string | undefined): string {
  if (!path) return DEFAULT_EMBED_TEMPLATE;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read template ${path}: ${(e as Error).message}`);
  }
}

function requestOf(opts: EmbedCliOptions, pools: Pool[]): PlanEmbedRequest {
  const model = opts.model ?? process.env.DREAMPRM_EMBED_MODEL;
  if (!model) throw new UserError('no embedding model given: pass --model NAME (as the server lists it under /models) or set DREAMPRM_EMBED_MODEL');
  // An embedding has no completion tokens, so only the prompt price counts.
  const { priceCompletionPer1k: _none, ...server } = serverFields(opts, model);
  return {
    ...server,
    pools,
    textOnly: opts.textOnly ?? false,
    template: templateOf(opts.template),
    perRequest: number(opts.perRequest, '--per-request'),
    dimensions: number(opts.dimensions, '--dimensions'),
    missingOnly: opts.missingOnly ?? false,
    missingImages: missingImagesOf(opts),
    limit: number(opts.limit, '--limit'),
  };
}

export function register(program: Command): void {
  withConnectionOptions(
    program
      .command('embed')
      .description('a vector for every step from an embeddings endpoint, for the features PRM (resumable; see README "Step vectors and external PRMs")')
      .option('--pool <pool>', 'train | meta | test (repeatable; default: all three, which the features PRM needs)', collect)
      .option('--text-only', 'the server takes text only (Ollama, text-embeddings-inference): send the text, not the images')
      .option('--per-request <n>', `steps per request when text only (default ${DEFAULT_EMBED_BATCH}); with images always 1`)
      .option('--dimensions <n>', 'ask for vectors of this length (models that support "dimensions")')
      .option('--missing-only', 'only steps without a vector (default: every step, replacing vectors from elsewhere)')
      .option('--template <file>', `input template with {question} and {prefix} (default: ${JSON.stringify(DEFAULT_EMBED_TEMPLATE)})`)
      .option('--limit <n>', 'at most this many CoTs (to try a server out)'),
    'embed',
    'embedding model as the server knows it (default: $DREAMPRM_EMBED_MODEL)',
  ).action(async (opts: EmbedCliOptions) => {
    const pools = poolsOf(opts.pool);
    await serverJobAction(opts, {
      kind: 'embed',
      scope: pools.join('+'),
      plan: async (api) => {
        const p = await api.planEmbed(requestOf(opts, pools));
        const cost = p.estimatedCost == null ? '' : `, ~${p.estimatedCost.toFixed(4)} at --price-prompt`;
        const lines = [
          `planned embed job ${p.job.jobId}: ${p.items} steps of ${p.cots ?? 0} CoTs in ${p.requests} requests, ~${p.estimatedTokens ?? 0} prompt tokens${cost}` +
            (opts.textOnly ? '' : `, ${p.images ?? 0} images`),
        ];
        if (p.job.note) lines.push(p.job.note);
        return { job: p.job, text: lines.join('\n') };
      },
    });
  });
}
