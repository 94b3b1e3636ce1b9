import type { Command } from 'commander';
import { UserError } from '../core/errors';
import { exportPool, type ExportSummary } from '../core/export/export';
import type { ExportFormat } from '../core/export/formats';
import type { ImageMode } from '../core/export/image-files';
import type { Pool } from '../core/types';
import { runAction, withCommon, type CommonOptions } from './common';

interface ExportCliOptions extends CommonOptions {
  run?: string;
  format: string;
  out: string;
  images: string;
  pool?: string;
  labelThreshold: string;
  force?: boolean;
}

export function register(program: Command): void {
  withCommon(
    program
      .command('export')
      .description('write a pool for training elsewhere (DreamPRM/Betty or TRL), with a run\'s learned weights')
      .requiredOption('--format <format>', 'dreamprm-train | trl | dreamprm-meta')
      .requiredOption('--out <dir>', 'output folder')
      .option('--run <id>', 'take the weights from this run (default: every weight is 1)')
      .option('--images <mode>', 'copy (into OUT/images) | reference (absolute paths of the originals)', 'copy')
      .option('--pool <pool>', 'train | meta | test (default: train, or meta for dreamprm-meta)')
      .option('--label-threshold <m>', 'trl: a step is labelled true when its label m >= this', '0.5')
      .option('--force', 'replace existing output files'),
  ).action(async (opts: ExportCliOptions) => {
    await runAction(
      opts,
      (db) => {
        const runId = opts.run === undefined ? null : Number(opts.run);
        if (runId !== null && !Number.isInteger(runId)) throw new UserError(`--run must be a run id (a number), got "${opts.run}"`);
        const threshold = Number(opts.labelThreshold);
        if (Number.isNaN(threshold)) throw new UserError(`--label-threshold must be a number, got "${opts.labelThreshold}"`);
        return exportPool(db, {
          format: opts.format as ExportFormat,
          outDir: opts.out,
          runId,
          images: opts.images as ImageMode,
          pool: opts.pool as Pool | undefined,
          labelThreshold: threshold,
          force: opts.force,
        });
      },
      render,
    );
  });
}

function render(s: ExportSummary): string {
  const lines = [`${s.format}: ${s.cots} CoTs (${s.rows} rows) of the ${s.pool} pool written to ${s.files[0]}`];
  if (s.skipped) lines.push(`${s.skipped} CoTs left out (${s.format === 'dreamprm-meta' ? 'no correctness label' : 'unlabelled steps'})`);
  const im = s.images;
  lines.push(`images: ${im.copied} copied, ${im.referenced} referenced, ${im.copiedFallback} copied because the original is gone, ${im.missing} missing since import`);
  if (s.weights) {
    const w = s.weights;
    const dom = Object.entries(w.domainWeights).map(([d, x]) => `${d} ${x.toFixed(3)}`).join(', ');
    lines.push(`weights: run ${w.runId} (${w.method}, step ${w.step}); ${w.fromInstance} per instance, ${w.fromDomain} per domain, ${w.default} default 1`);
    if (dom) lines.push(`domain weights: ${dom}`);
  } else if (s.format !== 'dreamprm-meta') {
    lines.push('weights: none (no --run): every weight is 1');
  }
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
