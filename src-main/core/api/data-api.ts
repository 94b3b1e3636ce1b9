/** The data half of the API: import, the built-in sample, sources, domains and their curation. */
import { z } from 'zod';
import { ImportRefusedError, importFile } from '../data/import';
import { DEFAULT_SAMPLE_SEED } from '../sample';
import { loadBuiltInSample, sampleDirFor } from '../sample/cache';
import type { Db } from '../store/db';
import * as store from '../store/data-store';
import type { ImportOptions, ImportProgress } from '../types';
import { id, jobId, NotFoundError, parseArgs, pool } from './args';
import type { EventHub } from './events';
import type { DomainInfo, SourceInfo, StudioApi } from './types';

export type DataApi = Pick<
  StudioApi,
  | 'importFile'
  | 'loadSample'
  | 'listSources'
  | 'listDomains'
  | 'renameDomain'
  | 'mergeDomains'
  | 'setDomainExcluded'
  | 'moveDomainToPool'
  | 'sampleImageIds'
>;

const importArgs = z
  .object({
    path: z.string().min(1, 'give the path of a data file'),
    options: z
      .object({
        // Strings here: the import checks these values itself (checkOptions), once, with a
        // sentence naming the value and the choices, for the app and the CLI alike.
        format: z.string().max(40).optional(),
        pool: z.string().max(40).optional(),
        domain: z.string().optional(),
        imagesDir: z.string().optional(),
        strict: z.boolean().optional(),
        onConflict: z.string().max(40).optional(),
      })
      .strict()
      .optional(),
    jobId,
  })
  .strict();

/** Progress events at most this often: a fast import reports thousands of records a second. */
const PROGRESS_MS = 100;

function domainInfo(d: store.DomainStats): DomainInfo {
  return {
    id: d.id,
    name: d.name,
    pool: d.pool,
    excluded: d.excluded,
    questions: d.questions,
    cots: d.cots,
    steps: d.steps,
    labelledSteps: d.labelledSteps,
    meanLabel: d.meanLabel,
    humanLabels: d.humanLabels,
    judgedCots: d.judgedCots,
    correctCots: d.correctCots,
    images: d.images,
  };
}

function sourceInfo(s: store.SourceRow): SourceInfo {
  return {
    id: s.id,
    path: s.path,
    format: s.format,
    pool: s.pool,
    importedAt: s.importedAt,
    cots: s.cots,
    missingImages: s.missingImages,
  };
}

/** Where the built-in sample is generated: beside the database, cached per seed. */
export function createDataApi(db: Db, dbPath: string, events: EventHub): DataApi {
  function checkDomain(domainId: number): void {
    const exists = db.prepare('SELECT 1 FROM domains WHERE id = ?').get(domainId);
    if (!exists) throw new NotFoundError(`no domain with id ${domainId}`);
  }

  function progressEmitter(jobIdValue: string | undefined, phase: 'generating' | 'reading') {
    let last = 0;
    return (p: ImportProgress, force = false): void => {
      const now = Date.now();
      if (!force && now - last < PROGRESS_MS) return;
      last = now;
      events.emit({
        type: 'import-progress',
        jobId: jobIdValue ?? null,
        phase,
        file: p.file,
        bytesRead: p.bytesRead,
        bytesTotal: p.bytesTotal,
        records: p.records,
      });
    };
  }

  return {
    async importFile(args) {
      const a = parseArgs('importFile', importArgs, args);
      const emit = progressEmitter(a.jobId, 'reading');
      try {
        return await importFile(db, a.path, (a.options ?? {}) as ImportOptions, (p) => emit(p));
      } catch (e) {
        // Refused (--strict, on conflict fail): nothing was written; the report and the
        // sentence say why.
        if (e instanceof ImportRefusedError) return { ...e.summary, refusal: e.message };
        throw e;
      }
    },

    async loadSample(args) {
      const a = parseArgs(
        'loadSample',
        z.object({ seed: z.number().int().min(0).max(0xffffffff).optional(), jobId }).strict(),
        args,
      );
      const seed = a.seed ?? DEFAULT_SAMPLE_SEED;
      const generating = progressEmitter(a.jobId, 'generating');
      const reading = progressEmitter(a.jobId, 'reading');
      const { dir, summary } = await loadBuiltInSample(db, dbPath, seed, (phase, fraction, detail) => {
        if (phase === 'importing' && detail) reading(detail);
        else if (phase === 'generating') {
          generating({ file: sampleDirFor(dbPath, seed), bytesRead: Math.round(fraction * 1000), bytesTotal: 1000, records: 0 }, fraction === 1);
        }
      });
      return { dir, summary, alreadyLoaded: summary.cots === 0 && summary.rejected === 0 };
    },

    async listSources() {
      return store.listSources(db).map(sourceInfo);
    },

    async listDomains() {
      return store.listDomains(db).map(domainInfo);
    },

    async renameDomain(args) {
      const a = parseArgs('renameDomain', z.object({ domainId: id, name: z.string().max(200) }).strict(), args);
      checkDomain(a.domainId);
      return domainInfo(store.renameDomain(db, a.domainId, a.name));
    },

    async mergeDomains(args) {
      const a = parseArgs(
        'mergeDomains',
        z.object({ targetId: id, sourceIds: z.array(id).min(1).max(10_000) }).strict(),
        args,
      );
      for (const d of [a.targetId, ...a.sourceIds]) checkDomain(d);
      return domainInfo(store.mergeDomains(db, a.targetId, a.sourceIds));
    },

    async setDomainExcluded(args) {
      const a = parseArgs('setDomainExcluded', z.object({ domainId: id, excluded: z.boolean() }).strict(), args);
      checkDomain(a.domainId);
      return domainInfo(store.setDomainExcluded(db, a.domainId, a.excluded));
    },

    async moveDomainToPool(args) {
      const a = parseArgs('moveDomainToPool', z.object({ domainId: id, pool }).strict(), args);
      checkDomain(a.domainId);
      return domainInfo(store.moveDomainToPool(db, a.domainId, a.pool));
    },

    async sampleImageIds(args) {
      const a = parseArgs(
        'sampleImageIds',
        z.object({ domainId: id, limit: z.number().int().min(0).max(100).optional() }).strict(),
        args,
      );
      checkDomain(a.domainId);
      return store.sampleImageIds(db, a.domainId, a.limit ?? 8);
    },
  };
}
