import type { Command } from 'commander';
import type { StudioApi } from '../core/api/studio-api';
import type { StudioService } from '../core/api/service';
import { importReport, SHOWN_PROBLEMS } from '../core/data/import-report';
import type { ConflictPolicy, ImportFormat, ImportOptions, ImportProgress, ImportSummary, Pool } from '../core/types';
import { log, withCommon, withStudio, type CommonOptions } from './common';

interface ImportCliOptions extends CommonOptions {
  format?: string;
  pool?: string;
  domain?: string;
  images?: string;
  strict?: boolean;
  onConflict?: string;
  allowPartial?: boolean;
}

/** Exit status of an import that wrote some records but not all (skipped, conflicting, images missing). */
export const PARTIAL_EXIT = 2;

/** Without a terminal, a progress line every this many records. */
const LOG_EVERY = 10_000;

export function register(program: Command): void {
  withCommon(
    program
      .command('import')
      .description('import a data file of chains of thought (JSON array or JSONL; see README "Data formats")')
      .argument('<file>', 'the data file')
      .option('--format <format>', 'auto | dreamprm-train | dreamprm-meta | visualprm | jsonl', 'auto')
      .option('--pool <pool>', 'train | meta | test (default: the format\'s usual pool; jsonl records may name their own)')
      .option('--domain <name>', 'put every record in this domain (default: from the data)')
      .option('--images <dir>', 'folder with the images (default: paths are relative to the file)')
      .option('--strict', 'import nothing unless every record can be taken whole (valid, no conflict, images found)')
      .option('--on-conflict <what>', 'a record that disagrees with stored data: keep (the stored one) | replace | fail', 'keep')
      .option('--allow-partial', `exit 0 even when records were skipped or images are missing (default: exit ${PARTIAL_EXIT})`),
  ).action(async (file: string, opts: ImportCliOptions) => {
    await withStudio(
      opts,
      async (api, service) => {
        const options: ImportOptions = {
          format: opts.format as ImportFormat | 'auto',
          pool: opts.pool as Pool | undefined,
          domain: opts.domain,
          imagesDir: opts.images,
          strict: opts.strict,
          onConflict: opts.onConflict as ConflictPolicy,
        };
        const summary = await importWithProgress(api, service, file, options);
        if (summary.refusal) {
          // Still show what was wrong (the summary lists it), but fail the command.
          log(`dreamprm: ${summary.refusal}`);
          process.exitCode = 1;
        } else setExitStatus(summary, opts.allowPartial ?? false);
        return summary;
      },
      (s) => renderSummary(s, opts.allowPartial ?? false),
      { creates: true },
    );
  });
}

/** The API's importFile, its import-progress events drawn on stderr (the sample's import too). */
export async function importWithProgress(api: StudioApi, service: StudioService, path: string, options: ImportOptions): Promise<ImportSummary> {
  const progress = progressPrinter();
  const jobId = `cli-import-${process.pid}`;
  const off = service.subscribe((e) => e.type === 'import-progress' && e.jobId === jobId && progress.update(e));
  try {
    return await api.importFile({ path, options, jobId });
  } finally {
    off();
    progress.done();
  }
}

function progressPrinter(): { update: (p: ImportProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let lastDraw = 0;
  let lastLogged = 0;
  let drawn = false;
  const line = (p: ImportProgress) => {
    const pct = p.bytesTotal ? Math.floor((100 * p.bytesRead) / p.bytesTotal) : 100;
    return `importing ${p.file}: ${pct}% (${mb(p.bytesRead)} of ${mb(p.bytesTotal)}), ${p.records.toLocaleString('en')} records`;
  };
  return {
    update(p) {
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && p.bytesRead < p.bytesTotal) return;
        lastDraw = now;
        drawn = true;
        process.stderr.write(`\r\x1b[K${line(p)}`);
      } else if (Math.floor(p.records / LOG_EVERY) > Math.floor(lastLogged / LOG_EVERY)) {
        lastLogged = p.records;
        log(line(p));
      }
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** complete: 0; partial: 2 (0 with --allow-partial); failed (nothing could be taken): 1. */
function setExitStatus(s: ImportSummary, allowPartial: boolean): void {
  if (s.status === 'failed') process.exitCode = 1;
  else if (s.status === 'partial' && !allowPartial) process.exitCode = PARTIAL_EXIT;
}

export function renderSummary(s: ImportSummary, allowPartial = false): string {
  const report = importReport(s);
  const out = [report.headline];
  for (const section of report.sections) {
    if (section.key === 'added') out.push(...section.lines);
    else out.push(`${section.title}:`, ...section.lines.map((l) => `  ${l}`));
  }
  if (s.errors.length > SHOWN_PROBLEMS) out.push('  (--json lists them all)');
  if (s.status === 'partial') {
    out.push(
      allowPartial
        ? 'Partial import, accepted with --allow-partial.'
        : `Partial import (exit status ${PARTIAL_EXIT}): fix what is listed and import the file again (only what is new is added), or pass --allow-partial to accept it as it is.`,
    );
  }
  if (s.status === 'failed') out.push('Nothing was imported (exit status 1): fix what is listed and import the file again.');
  return out.join('\n');
}
