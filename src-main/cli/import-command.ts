import type { Command } from 'commander';
import { importFile, StrictImportError } from '../core/data/import';
import type { ImportFormat, ImportOptions, ImportProgress, ImportSummary, Pool } from '../core/types';
import { log, runAction, withCommon, type CommonOptions } from './common';

interface ImportCliOptions extends CommonOptions {
  format?: string;
  pool?: string;
  domain?: string;
  images?: string;
  strict?: boolean;
}

/** Without a terminal, a progress line every this many records. */
const LOG_EVERY = 10_000;
const SHOWN_ERRORS = 20;

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
      .option('--strict', 'import nothing if any record is invalid or any image unreadable'),
  ).action(async (file: string, opts: ImportCliOptions) => {
    await runAction(
      opts,
      async (db) => {
        const options: ImportOptions = {
          format: opts.format as ImportFormat | 'auto',
          pool: opts.pool as Pool | undefined,
          domain: opts.domain,
          imagesDir: opts.images,
          strict: opts.strict,
        };
        const progress = progressPrinter();
        try {
          return await importFile(db, file, options, progress.update);
        } catch (e) {
          if (!(e instanceof StrictImportError)) throw e;
          // Still show what was wrong (the summary lists it), but fail the command.
          log(`dreamprm: ${e.message}`);
          process.exitCode = 1;
          return e.summary;
        } finally {
          progress.done();
        }
      },
      renderSummary,
    );
  });
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

const n = (x: number) => x.toLocaleString('en');

export function renderSummary(s: ImportSummary): string {
  const out: string[] = [];
  out.push(`${s.format}: ${n(s.records)} records read, ${n(s.imported)} imported, ${n(s.rejected)} rejected`);
  if (s.records && !s.imported && !s.rejected && !s.errors.length) {
    out.push('Nothing new: every record of this file is already in the database.');
  } else {
    out.push(`Added ${n(s.questions)} questions, ${n(s.cots)} CoTs, ${n(s.steps)} steps`);
  }
  const domains = Object.entries(s.domains);
  if (domains.length) {
    out.push(`Domains (${domains.length}, new CoTs each):`);
    out.push(...wrap(domains.map(([d, c]) => `${d} ${n(c)}`)));
  }
  if (s.missingImages) {
    out.push(`Missing images: ${n(s.missingImages)} (the records were imported without them; --images DIR tells where they are)`);
  }
  if (s.errors.length) {
    out.push(`Problems (${n(s.errors.length)}${s.errors.length > SHOWN_ERRORS ? `, first ${SHOWN_ERRORS}; --json lists them all` : ''}):`);
    for (const e of s.errors.slice(0, SHOWN_ERRORS)) out.push(`  record ${e.record}, ${e.field}: ${e.message}`);
  }
  return out.join('\n');
}

/** Lays "name count" items out in lines of at most 100 characters. */
function wrap(items: string[]): string[] {
  const lines: string[] = [];
  let cur = ' ';
  for (const item of items) {
    if (cur.length + item.length + 2 > 100) {
      lines.push(cur);
      cur = ' ';
    }
    cur += ` ${item},`;
  }
  lines.push(cur.replace(/,$/, ''));
  return lines;
}
