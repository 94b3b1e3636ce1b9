/**
 * A fake studio for the renderer's state classes: an AppState whose client answers from the
 * methods a test gives (a call to any other method fails), records every call, and lets the
 * test push events.
 */
import type { ApiMethod, StudioClient, StudioEvent } from '../../src-main/core/api/types';
import { ApiCallError, type Connection } from '../../src-renderer/src/lib/api-client';
import { AppState } from '../../src-renderer/src/lib/app-state.svelte';

export type FakeApi = Partial<StudioClient>;

export interface FakeStudio {
  app: AppState;
  /** every call made, in order, as [method, args] */
  calls: [ApiMethod, unknown][];
  /** the arguments of every call of one method, in order */
  argsOf(method: ApiMethod): unknown[];
  /** sends an event to every listener the states registered */
  emit(event: StudioEvent): void;
  /** how many event listeners are registered */
  listeners(): number;
  /** every notice shown, as "kind: text", in order (dismissed ones too: no test depends on the 5 s timer) */
  notices(): string[];
}

export function fakeStudio(api: FakeApi, opts: { authorised?: boolean } = {}): FakeStudio {
  const calls: [ApiMethod, unknown][] = [];
  const listeners = new Set<(event: StudioEvent) => void>();
  const client = new Proxy({} as StudioClient, {
    get(_target, prop) {
      // Not a thenable: `await` on the client must not call a method named "then".
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      const method = prop as ApiMethod;
      return (args?: unknown) => {
        calls.push([method, args]);
        const answer = api[method] as ((a?: unknown) => Promise<unknown>) | undefined;
        return answer ? answer(args) : Promise.reject(new Error(`the fake studio has no ${method}`));
      };
    },
  });
  const conn: Connection = {
    kind: 'browser',
    client,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    imageUrl: (id) => `/image/${id}`,
    bridge: null,
    authorised: opts.authorised ?? true,
  };
  const app = new AppState(conn);
  const shown: string[] = [];
  const notify = app.notify.bind(app);
  app.notify = (kind, text) => {
    shown.push(`${kind}: ${text}`);
    notify(kind, text);
  };
  return {
    app,
    calls,
    argsOf: (method) => calls.filter(([m]) => m === method).map(([, a]) => a),
    emit: (event) => listeners.forEach((l) => l(event)),
    listeners: () => listeners.size,
    notices: () => [...shown],
  };
}

/** An answer that fails as the studio fails: an ApiCallError with this name and message. */
export function failing(name: string, message: string): () => Promise<never> {
  return () => Promise.reject(new ApiCallError('fake', name, message));
}

/** A promise the test resolves when it chooses, to hold an answer back. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Taken when this module loads, before a test installs fake timers. */
const realSetTimeout = globalThis.setTimeout;

/**
 * Lets the work a state started without returning it (`void this.refresh()`) run to its end:
 * the fake's answers are settled promises, so one macrotask turn drains every chain of them.
 * It uses the real setTimeout, so it works under fake timers too.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, 0));
}
