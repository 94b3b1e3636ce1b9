/** DataState (sources, domains, thumbnails, imports, domain edits) and DomainBrowser (a domain's questions, paged). */
import { describe, expect, it } from 'vitest';
import type { BrowsePage, DomainInfo, SourceInfo, StudioInfo } from '../../src-main/core/api/types';
import { DataState } from '../../src-renderer/src/lib/data-state.svelte';
import { DeleteState } from '../../src-renderer/src/lib/delete-state.svelte';
import { DomainBrowser } from '../../src-renderer/src/lib/domain-browser.svelte';
import { deferred, failing, fakeStudio, settle, type FakeApi } from './fake-studio';
import { cot, domain, importSummary, question } from './fixtures';

const source: SourceInfo = { id: 1, path: '/data/cots.jsonl', format: 'jsonl', pool: 'train', importedAt: '2025-01-01', cots: 8, missingImages: 0 };
const info = { version: '0.1.0', dbPath: 'db', backend: { name: 'cpu', note: null }, counts: { sources: 1, domains: 1, cots: 8, runs: 0 } } satisfies StudioInfo;

/** A DataState over a studio whose domains the test can change between refreshes. */
function dataStudio(domains: DomainInfo[], extra: FakeApi = {}) {
  const state = { domains };
  const studio = fakeStudio({
    listSources: async () => [source],
    listDomains: async () => state.domains,
    sampleImageIds: async ({ domainId }) => [domainId * 10, domainId * 10 + 1],
    info: async () => info,
    ...extra,
  });
  const deletes = new DeleteState(studio.app);
  return { studio, data: new DataState(studio.app, deletes), deletes, state };
}

describe('DataState', () => {
  it('loads sources and domains, groups domains by pool and keeps only selected ids that still exist', async () => {
    const { data } = dataStudio([domain({ id: 1, name: 'charts' }), domain({ id: 2, name: 'maps', pool: 'meta' })]);
    data.selected = [2, 99];
    await data.refresh();
    expect(data.sources.map((s) => s.path)).toEqual(['/data/cots.jsonl']);
    expect(data.domainsOf('meta').map((d) => d.name)).toEqual(['maps']);
    expect(data.selected).toEqual([2]);
    expect(data.loading).toBe(false);
  });

  it('asks for thumbnails only of domains with images that are new or whose image count changed', async () => {
    const { studio, data, state } = dataStudio([domain({ id: 1, name: 'a', images: 3 }), domain({ id: 2, name: 'b', images: 0 })]);
    await data.refresh();
    expect(data.thumbs).toEqual({ 1: { images: 3, ids: [10, 11] } });
    await data.refresh();
    expect(studio.argsOf('sampleImageIds')).toEqual([{ domainId: 1, limit: 6 }]);
    state.domains = [domain({ id: 1, name: 'a', images: 5 })];
    await data.refresh();
    expect(studio.argsOf('sampleImageIds')).toHaveLength(2);
    expect(data.thumbs[1].images).toBe(5);
  });

  it('shows a failed load as an error notice and stops loading', async () => {
    const { studio, data } = dataStudio([], { listDomains: failing('Busy', 'database is locked') });
    await data.refresh();
    expect(studio.notices()).toEqual(['error: Loading data: database is locked']);
    expect(data.loading).toBe(false);
  });

  it('refuses an empty path without calling the studio', async () => {
    const { studio, data } = dataStudio([]);
    await data.importFile('   ', {});
    expect(studio.calls).toEqual([]);
    expect(studio.notices()).toEqual(['error: Enter the path of a file to import.']);
  });

  it('follows the progress events of its own import only, then keeps the summary and announces it', async () => {
    const answer = deferred<ReturnType<typeof importSummary>>();
    const { studio, data } = dataStudio([domain({ id: 1, name: 'charts' })], { importFile: () => answer.promise });
    data.start();
    await settle();
    const importing = data.importFile(' /data/cots.jsonl ', { pool: 'train' });
    const job = data.job!;
    expect(job).toMatchObject({ label: '/data/cots.jsonl', phase: 'reading' });
    expect(data.busy).toBe(true);
    expect(data.progress).toBeNull();
    const progress = { type: 'import-progress', phase: 'reading', file: 'x', bytesRead: 50, bytesTotal: 200, records: 4 } as const;
    studio.emit({ ...progress, jobId: 'another-job' });
    expect(data.job?.bytesTotal).toBe(0);
    studio.emit({ ...progress, jobId: job.jobId });
    expect(data.progress).toBe(0.25);
    expect(data.job?.records).toBe(4);
    answer.resolve(importSummary());
    await importing;
    expect(studio.argsOf('importFile')).toEqual([{ path: '/data/cots.jsonl', options: { pool: 'train' }, jobId: job.jobId }]);
    expect(data.job).toBeNull();
    expect(data.lastSummary?.cots).toBe(3);
    expect(studio.notices()).toEqual([expect.stringMatching(/^info: Imported from \/data\/cots\.jsonl: cots\.jsonl \(jsonl\): 3 records read/)]);
    expect(studio.app.info).toEqual(info);
  });

  it('announces a partial import as an error that points to the report', async () => {
    const { studio, data } = dataStudio([], { importFile: async () => importSummary({ status: 'partial', rejected: 1 }) });
    await data.importFile('/data/cots.jsonl', {});
    expect(data.lastSummary?.status).toBe('partial');
    expect(studio.notices()).toEqual(['error: Partial import from /data/cots.jsonl: see the report below the Import button']);
  });

  it('clears the job and shows the reason when an import fails', async () => {
    const { studio, data } = dataStudio([], { importFile: failing('ImportError', 'not a JSONL file') });
    await data.importFile('/data/x.csv', {});
    expect(data.job).toBeNull();
    expect(data.lastSummary).toBeNull();
    expect(studio.notices()).toEqual(['error: Import: not a JSONL file']);
  });

  it('says when the built-in sample is already loaded', async () => {
    const { studio, data } = dataStudio([], {
      loadSample: async () => ({ dir: '/tmp/sample', summary: importSummary({ cots: 0 }), alreadyLoaded: true }),
    });
    await data.loadSample();
    expect(studio.notices()).toEqual(['info: The built-in sample is already loaded.']);
    expect(data.job).toBeNull();
  });

  it('refreshes after a domain edit that worked and not after one that failed', async () => {
    const charts = domain({ id: 1, name: 'charts' });
    const { studio, data } = dataStudio([charts], {
      renameDomain: async ({ name }) => ({ ...charts, name }),
      moveDomainToPool: failing('Refused', 'a run uses it'),
    });
    await data.rename(1, 'plots');
    expect(studio.argsOf('renameDomain')).toEqual([{ domainId: 1, name: 'plots' }]);
    expect(studio.argsOf('listDomains')).toHaveLength(1);
    await data.moveToPool(1, 'meta');
    expect(studio.argsOf('listDomains')).toHaveLength(1);
    expect(studio.notices()).toEqual(['error: Moving: a run uses it']);
  });

  it('merges the other selected domains into the target and clears the selection', async () => {
    const { studio, data } = dataStudio([domain({ id: 1, name: 'a' })], { mergeDomains: async () => domain({ id: 1, name: 'a' }) });
    data.toggleSelected(1);
    await data.mergeSelected(1);
    expect(studio.argsOf('mergeDomains')).toEqual([]);
    data.toggleSelected(3);
    data.toggleSelected(2);
    await data.mergeSelected(1);
    expect(studio.argsOf('mergeDomains')).toEqual([{ targetId: 1, sourceIds: [3, 2] }]);
    expect(data.selected).toEqual([]);
  });

  it('refreshes after a confirmed deletion only', async () => {
    const { studio, data, deletes } = dataStudio([], {
      planDeletion: async (t) => ({ target: t, name: 'cots.jsonl', removes: [], notes: [], refusal: null }),
      deleteItem: async (t) => ({ target: t, name: 'cots.jsonl', removed: [] }),
    });
    const cancelled = data.remove({ kind: 'source', id: 1 });
    await settle();
    deletes.cancel();
    await cancelled;
    expect(studio.argsOf('listDomains')).toHaveLength(0);
    const confirmed = data.remove({ kind: 'source', id: 1 });
    await settle();
    await deletes.confirm();
    await confirmed;
    expect(studio.argsOf('deleteItem')).toEqual([{ kind: 'source', id: 1 }]);
    expect(studio.argsOf('listDomains')).toHaveLength(1);
  });
});

const page = (offset: number, total: number, n: number): BrowsePage => ({
  domainId: 5,
  domain: 'charts',
  pool: 'train',
  total,
  items: Array.from({ length: n }, (_, i) => ({ questionId: offset + i + 1, extId: `q${offset + i + 1}`, text: '', answer: null, task: null, cots: 2, imageId: null })),
});

describe('DomainBrowser', () => {
  const browseApi: FakeApi = {
    browseDomain: async ({ offset = 0 }) => page(offset, 120, Math.min(50, 120 - offset)),
    browseQuestion: async ({ questionId }) => ({ question: question(questionId), task: null, cots: [cot(questionId)] }),
  };

  it('loads the first page and opens its first question', async () => {
    const studio = fakeStudio(browseApi);
    const browser = new DomainBrowser(studio.app, 5);
    await browser.load();
    expect(studio.argsOf('browseDomain')).toEqual([{ domainId: 5, offset: 0, limit: 50, search: null }]);
    expect(browser.open?.question.questionId).toBe(1);
    expect(browser.hasPrevious).toBe(false);
    expect(browser.hasNext).toBe(true);
  });

  it('pages forward and back by 50 and knows the last page', async () => {
    const browser = new DomainBrowser(fakeStudio(browseApi).app, 5);
    await browser.load();
    await browser.next();
    await browser.next();
    expect(browser.offset).toBe(100);
    expect(browser.page?.items).toHaveLength(20);
    expect(browser.hasNext).toBe(false);
    await browser.previous();
    expect(browser.offset).toBe(50);
    expect(browser.hasPrevious).toBe(true);
  });

  it('searches with the trimmed text from the first page', async () => {
    const studio = fakeStudio(browseApi);
    const browser = new DomainBrowser(studio.app, 5);
    await browser.load(50);
    await browser.setSearch('  bar chart ');
    expect(studio.argsOf('browseDomain').at(-1)).toEqual({ domainId: 5, offset: 0, limit: 50, search: 'bar chart' });
    expect(browser.offset).toBe(0);
  });

  it('keeps only the newest of two overlapping loads', async () => {
    const slow = deferred<BrowsePage>();
    const studio = fakeStudio({ ...browseApi, browseDomain: ({ offset = 0 }) => (offset === 0 ? slow.promise : Promise.resolve(page(offset, 120, 50))) });
    const browser = new DomainBrowser(studio.app, 5);
    const first = browser.load(0);
    await browser.load(50);
    slow.resolve(page(0, 120, 50));
    await first;
    expect(browser.offset).toBe(50);
    expect(browser.page?.items[0].questionId).toBe(51);
  });

  it('marks a missing domain as missing and shows other failures as notices', async () => {
    const gone = new DomainBrowser(fakeStudio({ browseDomain: failing('NotFound', 'no domain 5') }).app, 5);
    await gone.load();
    expect(gone.missing).toBe('no domain 5');

    const studio = fakeStudio({ browseDomain: failing('Busy', 'locked') });
    const busy = new DomainBrowser(studio.app, 5);
    await busy.load();
    expect(busy.missing).toBeNull();
    expect(studio.notices()).toEqual(['error: Loading the domain: locked']);
  });
});
