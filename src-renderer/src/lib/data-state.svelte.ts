import { importReport } from '../../../src-main/core/data/import-report';
import type {
  DeletionTarget,
  DomainInfo,
  ImportOptions,
  ImportSummary,
  Pool,
  SourceInfo,
  StudioEvent,
} from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';
import type { DeleteState } from './delete-state.svelte';

export interface ImportJob {
  jobId: string;
  label: string;
  phase: 'generating' | 'reading';
  bytesRead: number;
  bytesTotal: number;
  records: number;
}

let jobCounter = 0;
function newJobId(): string {
  // crypto.randomUUID needs a secure context, which a remote `serve` over http is not.
  jobCounter += 1;
  return `job-${Date.now().toString(36)}-${jobCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The Data page's state: sources, domains, an import in flight and its last summary. */
export class DataState {
  sources = $state<SourceInfo[]>([]);
  domains = $state<DomainInfo[]>([]);
  loading = $state(false);
  job = $state<ImportJob | null>(null);
  lastSummary = $state<ImportSummary | null>(null);
  selected = $state<number[]>([]);
  /** image ids per domain id, with the image count they were picked from */
  thumbs = $state<Record<number, { images: number; ids: number[] }>>({});
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly app: AppState,
    private readonly deletes: DeleteState,
  ) {}

  start(): () => void {
    this.unsubscribe = this.app.onEvent((e) => this.onEvent(e));
    void this.refresh();
    return () => this.unsubscribe?.();
  }

  private onEvent(e: StudioEvent): void {
    if (e.type !== 'import-progress' || !this.job || e.jobId !== this.job.jobId) return;
    this.job = { ...this.job, phase: e.phase, bytesRead: e.bytesRead, bytesTotal: e.bytesTotal, records: e.records };
  }

  get busy(): boolean {
    return this.job !== null;
  }

  get progress(): number | null {
    if (!this.job || this.job.bytesTotal <= 0) return null;
    return Math.min(1, this.job.bytesRead / this.job.bytesTotal);
  }

  domainsOf(pool: Pool): DomainInfo[] {
    return this.domains.filter((d) => d.pool === pool);
  }

  async refresh(): Promise<void> {
    this.loading = true;
    await this.app.attempt('Loading data', async () => {
      const [sources, domains] = await Promise.all([this.app.api.listSources(), this.app.api.listDomains()]);
      this.sources = sources;
      this.domains = domains;
      this.selected = this.selected.filter((id) => domains.some((d) => d.id === id));
      await this.loadThumbs(domains);
    });
    this.loading = false;
  }

  private async loadThumbs(domains: DomainInfo[]): Promise<void> {
    // Only domains that are new or whose images changed (a merge) are asked again.
    const stale = domains.filter((d) => d.images > 0 && this.thumbs[d.id]?.images !== d.images);
    const entries = await Promise.all(
      stale.map(async (d) => [d, await this.app.api.sampleImageIds({ domainId: d.id, limit: 6 })] as const),
    );
    const next = { ...this.thumbs };
    for (const [d, ids] of entries) next[d.id] = { images: d.images, ids };
    this.thumbs = next;
  }

  async importFile(path: string, options: ImportOptions): Promise<void> {
    const trimmed = path.trim();
    if (!trimmed) {
      this.app.notify('error', 'Enter the path of a file to import.');
      return;
    }
    const jobId = newJobId();
    this.job = { jobId, label: trimmed, phase: 'reading', bytesRead: 0, bytesTotal: 0, records: 0 };
    const summary = await this.app.attempt('Import', () => this.app.api.importFile({ path: trimmed, options, jobId }));
    this.job = null;
    if (summary) {
      this.lastSummary = summary;
      // The panel shows the whole report; a partial or failed import is also an error notice.
      const headline = importReport(summary).headline;
      if (summary.status === 'complete') this.app.notify('info', `Imported from ${trimmed}: ${headline}`);
      else this.app.notify('error', `${summary.status === 'partial' ? 'Partial import' : 'Nothing imported'} from ${trimmed}: see the report below the Import button`);
    }
    await Promise.all([this.refresh(), this.app.refreshInfo()]);
  }

  async loadSample(): Promise<void> {
    const jobId = newJobId();
    this.job = { jobId, label: 'built-in sample', phase: 'generating', bytesRead: 0, bytesTotal: 0, records: 0 };
    const result = await this.app.attempt('Loading the sample', () => this.app.api.loadSample({ jobId }));
    this.job = null;
    if (result) {
      this.lastSummary = result.summary;
      this.app.notify(
        'info',
        result.alreadyLoaded ? 'The built-in sample is already loaded.' : `Loaded the built-in sample: ${result.summary.cots} CoTs.`,
      );
    }
    await Promise.all([this.refresh(), this.app.refreshInfo()]);
  }

  private async change(what: string, work: () => Promise<DomainInfo>): Promise<void> {
    const updated = await this.app.attempt(what, work);
    if (updated) await this.refresh();
  }

  rename(domainId: number, name: string): Promise<void> {
    return this.change('Renaming', () => this.app.api.renameDomain({ domainId, name }));
  }

  setExcluded(domainId: number, excluded: boolean): Promise<void> {
    return this.change(excluded ? 'Excluding' : 'Including', () =>
      this.app.api.setDomainExcluded({ domainId, excluded }),
    );
  }

  moveToPool(domainId: number, pool: Pool): Promise<void> {
    return this.change('Moving', () => this.app.api.moveDomainToPool({ domainId, pool }));
  }

  /** Deletes an import or a domain after the user saw what goes. */
  async remove(target: DeletionTarget): Promise<void> {
    if (await this.deletes.ask(target)) await this.refresh();
  }

  toggleSelected(domainId: number): void {
    this.selected = this.selected.includes(domainId)
      ? this.selected.filter((id) => id !== domainId)
      : [...this.selected, domainId];
  }

  /** Merges the selected domains into the first selected one (they must share a pool). */
  async mergeSelected(targetId: number): Promise<void> {
    const sourceIds = this.selected.filter((id) => id !== targetId);
    if (!sourceIds.length) return;
    await this.change('Merging', () => this.app.api.mergeDomains({ targetId, sourceIds }));
    this.selected = [];
  }
}
