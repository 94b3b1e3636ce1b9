import type { StudioEvent, StudioInfo } from '../../../src-main/core/api/types';
import { connect, type Connection } from './api-client';

const TOKEN_MESSAGE =
  'This page needs the access token. Open the full URL that `dreamprm serve` printed (it ends in ?token=…).';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

/** The connection to the studio, what it says about itself, and messages for the user. */
export class AppState {
  readonly conn: Connection;
  info = $state<StudioInfo | null>(null);
  /** set when the studio cannot be reached at all (no token, server gone) */
  fatal = $state<string | null>(null);
  notices = $state<Notice[]>([]);
  private nextNotice = 1;

  constructor(conn: Connection = connect()) {
    this.conn = conn;
  }

  get api() {
    return this.conn.client;
  }

  get isEmpty(): boolean {
    return this.info !== null && this.info.counts.cots === 0;
  }

  async refreshInfo(): Promise<void> {
    if (!this.conn.authorised) {
      this.fatal = TOKEN_MESSAGE;
      return;
    }
    try {
      this.info = await this.api.info();
      this.fatal = null;
    } catch (e) {
      const err = e as Error;
      this.fatal =
        err.name === 'Unauthorized' ? TOKEN_MESSAGE : `The studio cannot be reached: ${err.message}`;
    }
  }

  onEvent(listener: (event: StudioEvent) => void): () => void {
    return this.conn.onEvent(listener);
  }

  notify(kind: Notice['kind'], text: string): void {
    const id = this.nextNotice++;
    this.notices.push({ id, kind, text });
    if (kind === 'info') setTimeout(() => this.dismiss(id), 5000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /** Runs an action and shows its failure as a notice instead of an unhandled rejection. */
  async attempt<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (e) {
      this.notify('error', `${what}: ${(e as Error).message}`);
      return undefined;
    }
  }
}
