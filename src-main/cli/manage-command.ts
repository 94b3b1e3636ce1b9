import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { UserError } from '../core/errors';
import type { StudioApi } from '../core/api/studio-api';
import { DELETION_KINDS, type BrowsePage, type BrowseQuestion, type DeletionKind, type DeletionPlan } from '../core/manage/types';
import type { DomainInfo } from '../../src-shared/data';
import { intOption, log, withCommon, withStudio, type CommonOptions } from './common';
import { table } from './eval-command';

interface DeleteOptions extends CommonOptions {
  yes?: boolean;
  pool?: string;
}

interface BrowseOptions extends CommonOptions {
  domain?: string;
  pool?: string;
  question?: string;
  search?: string;
  offset: string;
  limit: string;
}

export function register(program: Command): void {
  withCommon(
    program
      .command('delete')
      .description('delete an import (source: undoes it), a domain, a run or an evaluation, with what goes shown first; one transaction')
      .argument('<kind>', `${DELETION_KINDS.join(' | ')} (import = source)`)
      .argument('<id>', 'its id (a domain may also be named; add --pool when two pools share the name)')
      .option('--pool <pool>', 'the pool of a domain given by name')
      .option('--yes', 'delete without asking (needed when stdin is not a terminal)'),
  ).action((kind: string, id: string, opts: DeleteOptions) =>
    withStudio(opts, (api) => deleteCommand(api, kindOf(kind), id, opts), (r) => `deleted ${r.name}: ${describeCounts(r.removed)}`),
  );

  withCommon(
    program
      .command('browse')
      .description('the data outside any run: the domains; a domain\'s questions; a question with its CoTs, steps, labels and images')
      .option('--domain <domain>', 'a domain id or name: list its questions')
      .option('--pool <pool>', 'the pool of a domain given by name')
      .option('--question <id>', 'a question id (from the list): show it with every CoT')
      .option('--search <prefix>', 'questions whose id or text starts with this (case-insensitive)')
      .option('--offset <n>', 'questions to skip', '0')
      .option('--limit <n>', 'questions to list', '20'),
  ).action((opts: BrowseOptions) => withStudio(opts, (api) => browse(api, opts), renderBrowse));
}

function kindOf(raw: string): DeletionKind {
  const k = raw === 'import' ? 'source' : raw;
  if (!(DELETION_KINDS as readonly string[]).includes(k)) throw new UserError(`delete what? "${raw}" is not one of ${DELETION_KINDS.join(', ')}, import`);
  return k as DeletionKind;
}

/** A domain by id, or by name (and pool when the name is in several pools). */
export async function domainIdOf(api: StudioApi, raw: string, pool?: string): Promise<number> {
  if (/^\d+$/.test(raw)) return Number(raw);
  const matches = (await api.listDomains()).filter((d) => d.name === raw && (!pool || d.pool === pool));
  if (matches.length === 1) return matches[0].id;
  if (!matches.length) throw new UserError(`no domain named "${raw}"${pool ? ` in the ${pool} pool` : ''}; \`dreamprm browse\` lists them`);
  throw new UserError(`"${raw}" names domains in the ${matches.map((d) => d.pool).join(' and ')} pools: add --pool`);
}

function describeCounts(counts: { what: string; count: number }[]): string {
  return counts.map((c) => `${c.count.toLocaleString('en')} ${c.what}`).join(', ') || 'nothing';
}

function describePlan(plan: DeletionPlan): string {
  return [`deleting ${plan.name} removes: ${describeCounts(plan.removes)}`, ...plan.notes].join('\n');
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function deleteCommand(api: StudioApi, kind: DeletionKind, rawId: string, opts: DeleteOptions) {
  const id = kind === 'domain' ? await domainIdOf(api, rawId, opts.pool) : intOption(`the ${kind} id`, rawId, 1);
  const plan = await api.planDeletion({ kind, id });
  log(describePlan(plan));
  if (plan.refusal) throw new UserError(`cannot delete ${plan.name}: ${plan.refusal}`);
  if (!opts.yes) {
    if (!process.stdin.isTTY) throw new UserError('nothing deleted: add --yes to confirm (stdin is not a terminal to ask on)');
    if (!(await confirm('delete it? [y/N] '))) throw new UserError('nothing deleted');
  }
  return api.deleteItem({ kind, id });
}

type BrowseResult =
  | { kind: 'domains'; domains: DomainInfo[] }
  | { kind: 'questions'; page: BrowsePage }
  | { kind: 'question'; question: BrowseQuestion };

async function browse(api: StudioApi, opts: BrowseOptions): Promise<BrowseResult> {
  if (opts.question !== undefined) return { kind: 'question', question: await api.browseQuestion({ questionId: intOption('--question', opts.question, 1) }) };
  if (opts.domain === undefined) return { kind: 'domains', domains: await api.listDomains() };
  const page = await api.browseDomain({
    domainId: await domainIdOf(api, opts.domain, opts.pool),
    offset: intOption('--offset', opts.offset, 0),
    limit: limitOf(opts.limit),
    search: opts.search ?? null,
  });
  return { kind: 'questions', page };
}

/** The API serves at most this many questions a page; say so in the flag's terms. */
const MAX_LIMIT = 500;

function limitOf(raw: string): number {
  const n = intOption('--limit', raw, 1);
  if (n > MAX_LIMIT) throw new UserError(`--limit must be at most ${MAX_LIMIT} (got ${n}); page on with --offset`);
  return n;
}

function renderBrowse(r: BrowseResult): string {
  if (r.kind === 'domains') {
    if (!r.domains.length) return 'no domains yet (import data with `dreamprm import FILE`)';
    return table([['id', 'domain', 'pool', 'questions', 'CoTs', 'images'], ...r.domains.map((d) => [String(d.id), d.name, d.pool, String(d.questions), String(d.cots), String(d.images)])]);
  }
  if (r.kind === 'questions') {
    const p = r.page;
    const head = `${p.domain} (${p.pool} pool): ${p.total} question${p.total === 1 ? '' : 's'}; \`--question ID\` shows one`;
    const rows = p.items.map((q) => [String(q.questionId), q.extId, String(q.cots), q.answer ?? '—', q.text.replace(/\s+/g, ' ').slice(0, 60)]);
    return [head, table([['id', 'question', 'CoTs', 'answer', 'text'], ...rows])].join('\n');
  }
  const { question: q, cots, task } = r.question;
  const lines = [
    `question ${q.questionId} "${q.extId}" in ${q.domain} (${q.pool} pool)${task ? `, task ${task}` : ''}`,
    q.text,
    `ground truth: ${q.answer ?? '—'}; images: ${q.imageIds.map((i) => `#${i}`).join(', ') || 'none'}${q.missingImages ? ` (${q.missingImages} missing at import)` : ''}`,
  ];
  for (const c of cots) {
    const verdict = c.correct === null ? 'unjudged' : c.correct ? 'correct' : 'incorrect';
    lines.push('', `CoT ${c.cotId} "${c.extId}": answer ${c.answer ?? '—'}, ${verdict}${c.correctBy ? ` (by ${c.correctBy})` : ''}`);
    for (const s of c.steps) {
      const label = s.human !== null ? `human ${s.human ? '+' : '-'}` : s.mc !== null ? `m ${s.mc.toFixed(2)}${s.k !== null ? ` k ${s.k}` : ''}` : 'no label';
      lines.push(`  ${String(s.idx + 1).padStart(2)}. [${label}] ${s.text}`);
    }
  }
  return lines.join('\n');
}
