import type { BrowsePage, BrowseQuestion } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

const PAGE = 50;

/** A domain's questions outside any run: a searchable page of them and the one opened, with every CoT. */
export class DomainBrowser {
  page = $state<BrowsePage | null>(null);
  offset = $state(0);
  search = $state('');
  open = $state<BrowseQuestion | null>(null);
  missing = $state<string | null>(null);
  private seq = 0;

  constructor(
    private readonly app: AppState,
    readonly domainId: number,
  ) {}

  async load(offset = 0): Promise<void> {
    const seq = ++this.seq;
    try {
      const page = await this.app.api.browseDomain({ domainId: this.domainId, offset, limit: PAGE, search: this.search || null });
      if (seq !== this.seq) return;
      this.page = page;
      this.offset = offset;
      if (!this.open && page.items.length) await this.show(page.items[0].questionId);
    } catch (e) {
      const err = e as Error;
      if (err.name === 'NotFound') this.missing = err.message;
      else this.app.notify('error', `Loading the domain: ${err.message}`);
    }
  }

  async show(questionId: number): Promise<void> {
    const q = await this.app.attempt('Loading the question', () => this.app.api.browseQuestion({ questionId }));
    if (q) this.open = q;
  }

  setSearch(text: string): Promise<void> {
    this.search = text.trim();
    return this.load(0);
  }

  get hasPrevious(): boolean {
    return this.offset > 0;
  }

  get hasNext(): boolean {
    return this.page !== null && this.offset + this.page.items.length < this.page.total;
  }

  next(): Promise<void> {
    return this.load(this.offset + PAGE);
  }

  previous(): Promise<void> {
    return this.load(Math.max(0, this.offset - PAGE));
  }
}
