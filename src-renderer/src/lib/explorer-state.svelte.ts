import type {
  CotScores,
  DomainHistograms,
  ExplorerInfo,
  InstanceDetail,
  InstanceQuery,
  InstanceRow,
  InstanceSort,
  StudioEvent,
} from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

export const PAGE_SIZE = 100;

export type ExplorerFilters = Omit<InstanceQuery, 'offset' | 'limit'>;

/**
 * One run's instance explorer: the table's filters and sort, the pages loaded so far (the
 * table asks for the ones it shows), the per-domain histograms, and the instance in the side
 * panel with the PRM's scores of it.
 */
export class ExplorerState {
  info = $state<ExplorerInfo | null>(null);
  building = $state<{ phase: 'rows' | 'indexes'; done: number; total: number } | null>(null);
  /** progress of the loss column being computed, null when not */
  losses = $state<{ done: number; total: number } | null>(null);
  failed = $state<string | null>(null);
  filters = $state<ExplorerFilters>({ sort: 'weight', desc: true, domain: null, minWeight: null, maxWeight: null, search: null });
  total = $state<number | null>(null);
  searchTruncated = $state(false);
  pages = $state<Record<number, InstanceRow[]>>({});
  /** milliseconds from asking for the current view's first page to having it */
  lastPageMs = $state<number | null>(null);
  histograms = $state<DomainHistograms | null>(null);
  /** position in the current order of the row in the side panel */
  selected = $state<number | null>(null);
  detail = $state<InstanceDetail | null>(null);
  scores = $state<CotScores | null>(null);
  scoring = $state(false);
  scoreError = $state<string | null>(null);
  /** bumped when the order or filters change: the table scrolls back to the top */
  version = $state(0);
  private generation = 0;
  private loading = new Set<number>();
  private openTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly app: AppState,
    readonly runId: number,
  ) {}

  start(): () => void {
    const off = this.app.onEvent((e: StudioEvent) => {
      if (e.type !== 'explore-progress' || e.runId !== this.runId) return;
      if (e.phase === 'losses') this.losses = { done: e.done, total: e.total };
      else this.building = { phase: e.phase, done: e.done, total: e.total };
    });
    void this.open(false);
    return off;
  }

  /** Builds the run's table if needed (first open), then shows the first page. */
  async open(rebuild: boolean): Promise<void> {
    this.failed = null;
    try {
      this.info = await this.app.api.explorerInfo({ runId: this.runId, rebuild });
    } catch (e) {
      this.failed = (e as Error).message;
      return;
    } finally {
      this.building = null;
    }
    this.detail = null;
    this.selected = null;
    this.reset();
    const h = await this.app.attempt('Loading histograms', () => this.app.api.explorerHistograms({ runId: this.runId, bins: 24 }));
    if (h) this.histograms = h;
  }

  /** Scores every instance with the run's PRM (in the training worker) to fill the loss column. */
  async computeLosses(): Promise<void> {
    this.losses = { done: 0, total: this.info?.instances ?? 0 };
    const info = await this.app.attempt('Computing losses', () => this.app.api.computeLosses({ runId: this.runId }));
    this.losses = null;
    if (!info) return;
    this.info = info;
    this.selected = null;
    this.reset();
    const open = this.detail;
    if (open) {
      const d = await this.app.attempt('Opening the instance', () => this.app.api.getInstance({ runId: this.runId, idx: open.row.idx }));
      if (d && this.detail?.row.idx === d.row.idx) this.detail = { ...this.detail, row: d.row };
    }
  }

  /** Changes sort or filters: drops the loaded pages and loads the first one with the count. */
  set(patch: Partial<ExplorerFilters>): void {
    this.filters = { ...this.filters, ...patch };
    this.selected = null;
    this.reset();
  }

  sortBy(sort: InstanceSort): void {
    // A second click on the sorted column flips its direction; a new column starts high to low.
    this.set(sort === this.filters.sort ? { desc: !this.filters.desc } : { sort, desc: sort !== 'idx' });
  }

  private reset(): void {
    this.generation++;
    this.version++;
    this.pages = {};
    this.loading.clear();
    this.total = null;
    void this.loadPage(0);
  }

  rowAt(position: number): InstanceRow | undefined {
    return this.pages[Math.floor(position / PAGE_SIZE)]?.[position % PAGE_SIZE];
  }

  /** Loads the pages the table shows that are not loaded yet. */
  need(pages: number[]): void {
    for (const p of pages) if (!(p in this.pages)) void this.loadPage(p);
  }

  private async loadPage(page: number): Promise<void> {
    if (this.loading.has(page)) return;
    const gen = this.generation;
    this.loading.add(page);
    const started = performance.now();
    const withTotal = this.total === null;
    try {
      const r = await this.app.api.explorerPage({
        runId: this.runId,
        query: { ...this.filters, offset: page * PAGE_SIZE, limit: PAGE_SIZE },
        withTotal,
      });
      if (gen !== this.generation) return;
      this.pages = { ...this.pages, [page]: r.rows };
      if (r.total !== null) this.total = r.total;
      this.searchTruncated = r.searchTruncated;
      this.lastPageMs = Math.round(performance.now() - started);
    } catch (e) {
      if (gen === this.generation) this.app.notify('error', `Loading instances: ${(e as Error).message}`);
    } finally {
      if (gen === this.generation) this.loading.delete(page);
    }
  }

  /**
   * Selects the row at `position` and opens it in the side panel once the selection rests
   * (arrow keys held down do not start a PRM job per row passed).
   */
  select(position: number, delay = 120): void {
    if (this.total !== null) position = Math.max(0, Math.min(this.total - 1, position));
    this.selected = position;
    if (this.openTimer) clearTimeout(this.openTimer);
    this.openTimer = setTimeout(() => void this.open1(position), delay);
  }

  private async open1(position: number): Promise<void> {
    const row = this.rowAt(position);
    if (!row || this.selected !== position) return;
    if (this.detail?.row.idx === row.idx) return;
    this.scores = null;
    this.scoreError = null;
    const d = await this.app.attempt('Opening the instance', () => this.app.api.getInstance({ runId: this.runId, idx: row.idx }));
    if (d && this.selected === position) {
      this.detail = d;
      void this.score();
    }
  }

  close(): void {
    this.selected = null;
    this.detail = null;
    this.scores = null;
  }

  /** The PRM's current per-step scores of the open instance (computed in the training worker). */
  async score(): Promise<void> {
    const d = this.detail;
    if (!d) return;
    this.scoring = true;
    this.scoreError = null;
    try {
      const s = await this.app.api.scoreCot({ runId: this.runId, cotId: d.row.cotId });
      if (this.detail?.row.cotId === s.cotId) this.scores = s;
    } catch (e) {
      this.scoreError = (e as Error).message;
    } finally {
      this.scoring = false;
    }
  }

  /** After a label changed: the panel's CoT and the row's mean label. */
  updateCot(cot: InstanceDetail['cot']): void {
    if (!this.detail || this.detail.cot.cotId !== cot.cotId) return;
    const labels = cot.steps.map((s) => (s.human ?? s.mc)).filter((x): x is number => x !== null);
    const meanLabel = labels.length ? labels.reduce((a, b) => a + b, 0) / labels.length : null;
    this.detail = { ...this.detail, cot, row: { ...this.detail.row, meanLabel } };
    for (const rows of Object.values(this.pages)) for (const r of rows) if (r.cotId === cot.cotId) r.meanLabel = meanLabel;
  }
}
