import type { Command } from 'commander';
import { UserError } from '../core/errors';
import {
  DEFAULT_SAMPLE_SEED,
  generateSample,
  loadSampleConfig,
  renderContactSheet,
  type SampleDomainSummary,
} from '../core/sample';
import type { ImportSummary } from '../core/types';
import { importWithProgress, renderSummary as renderImport } from './import-command';
import { log, withCommon, withStudio, type CommonOptions } from './common';

interface SampleCliOptions extends CommonOptions {
  out: string;
  seed?: string;
  config?: string;
  import?: boolean;
  contactSheet?: string;
}

export interface SampleCommandResult {
  out: string;
  seed: number;
  records: number;
  images: number;
  seconds: number;
  domains: Record<string, SampleDomainSummary>;
  import?: ImportSummary;
  contactSheet?: string;
}

export function register(program: Command): void {
  withCommon(
    program
      .command('sample')
      .description('generate the built-in sample: images, a canonical JSONL corpus and truth.json (see README "The built-in sample")')
      .requiredOption('--out <dir>', 'folder to write to (new, empty, or holding an earlier sample, which is replaced)')
      .option('--seed <n>', 'random seed; the same seed and config give byte-identical files', String(DEFAULT_SAMPLE_SEED))
      .option('--config <file>', 'sample config JSON (default: resources/sample/default-config.json)')
      .option('--import', 'also import the corpus into the database (--db), pools and all')
      .option('--contact-sheet <file>', 'also render a PNG of example images with their questions and steps'),
  ).action(async (opts: SampleCliOptions) => {
    // Without --import nothing touches a database: an in-memory one keeps the shared runner
    // (exit codes, --json) without creating a studio.db as a side effect.
    const runOpts = opts.import ? opts : { ...opts, db: ':memory:' };
    await withStudio(
      runOpts,
      async (api, service): Promise<SampleCommandResult> => {
        const started = performance.now();
        const seed = parseSeed(opts.seed);
        const config = opts.config ? loadSampleConfig(opts.config) : undefined;
        log(`generating the sample into ${opts.out} (seed ${seed})`);
        const s = await generateSample(opts.out, { seed, config });
        const result: SampleCommandResult = {
          out: s.out,
          seed: s.seed,
          records: s.records,
          images: s.images,
          seconds: 0,
          domains: s.domains,
        };
        if (opts.import) {
          log(`importing ${s.corpus}`);
          result.import = await importWithProgress(api, service, s.corpus, { format: 'jsonl' });
          if (result.import.refusal) throw new UserError(result.import.refusal);
        }
        if (opts.contactSheet) {
          await renderContactSheet(opts.out, opts.contactSheet);
          result.contactSheet = opts.contactSheet;
        }
        result.seconds = Math.round((performance.now() - started) / 10) / 100;
        return result;
      },
      render,
      { creates: true },
    );
  });
}

function parseSeed(raw: string | undefined): number {
  const text = raw ?? String(DEFAULT_SAMPLE_SEED);
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) {
    throw new UserError(`--seed must be an integer from 0 to 4294967295, got "${text}"`);
  }
  return Number(text);
}

function render(r: SampleCommandResult): string {
  const out = [`Sample written to ${r.out} in ${r.seconds} s: ${r.records} CoTs, ${r.images} images (seed ${r.seed})`];
  out.push('  domain               pool    CoTs  label quality');
  for (const [name, d] of Object.entries(r.domains)) {
    const q = d.quality === null ? '' : d.quality.toFixed(3);
    out.push(`  ${name.padEnd(20)} ${d.pool.padEnd(5)} ${String(d.cots).padStart(6)}  ${q}`);
  }
  if (r.import) out.push('Import:', renderImport(r.import));
  if (r.contactSheet) out.push(`Contact sheet: ${r.contactSheet}`);
  return out.join('\n');
}
