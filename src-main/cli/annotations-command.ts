import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { PromoteResult } from '../core/annotate/types';
import { UserError } from '../core/errors';
import { withCommon, withStudio, type CommonOptions } from './common';

/** `dreamprm annotations …`: the human labels given in the app, outside it. */
export function register(program: Command): void {
  const cmd = program.command('annotations').description('human step and CoT labels: export, promote to the meta pool, annotator name');

  withCommon(
    cmd
      .command('export')
      .description('write the annotations as JSONL, one label per line, oldest first')
      .requiredOption('--out <file>', 'the JSONL file to write')
      .option('--all', 'include annotations that were undone (the full history)'),
  ).action(async (opts: CommonOptions & { out: string; all?: boolean }) => {
    await withStudio(
      opts,
      async (api) => {
        const file = resolve(opts.out);
        // The API hands the export back whole (human labels: small); the CLI writes the file.
        const { jsonl, count } = await api.exportAnnotations({ all: opts.all });
        await writeFile(file, jsonl, 'utf8').catch((e: Error) => {
          throw new UserError(`cannot write ${file}: ${e.message}`);
        });
        return { file, lines: count };
      },
      (r) => `wrote ${r.lines} annotation${r.lines === 1 ? '' : 's'} to ${r.file}`,
    );
  });

  withCommon(cmd.command('stats').description('labels in force, the history, promotions')).action(async (opts: CommonOptions) => {
    await withStudio(
      opts,
      async (api) => {
        const { recent: _recent, ...counts } = await api.annotationStats({ recent: 0 });
        return counts;
      },
      (s) =>
        `${s.stepLabels} step label(s) and ${s.cotLabels} CoT judgement(s) in force on ${s.cots} CoT(s); ` +
        `${s.recorded} recorded, ${s.undone} undone; ${s.promoted} CoT(s) promoted to the meta pool`,
    );
  });

  withCommon(
    cmd.command('promote').description('copy every human-judged CoT into the meta pool ("annotated" domain)'),
  ).action(async (opts: CommonOptions) => {
    await withStudio(opts, (api) => api.promoteToMeta(), renderPromote);
  });

  withCommon(
    cmd
      .command('annotator')
      .description('show or set the name annotations are recorded with')
      .argument('[name]', 'the new name'),
  ).action(async (name: string | undefined, opts: CommonOptions) => {
    await withStudio(
      opts,
      (api) => (name === undefined ? api.getSettings() : api.setSettings({ annotator: name })),
      (s) => (s.annotator ? `annotator: ${s.annotator}` : 'no annotator name set: `dreamprm annotations annotator NAME`'),
    );
  });
}

function renderPromote(r: PromoteResult): string {
  const lines = [
    `promoted ${r.promoted} CoT(s), updated ${r.updated}; the meta domain "${r.domain}" has ${r.domainCots}, the meta pool ${r.metaPoolCots}`,
  ];
  if (r.fromTestPool) lines.push(`note: ${r.fromTestPool} of them come from the test pool; evaluations on those questions are no longer held out`);
  for (const s of r.skipped) lines.push(`skipped CoT ${s.cotId}: ${s.reason}`);
  return lines.join('\n');
}
