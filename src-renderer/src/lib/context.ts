import { getContext, setContext } from 'svelte';
import type { AppState } from './app-state.svelte';
import type { DeleteState } from './delete-state.svelte';
import type { Router } from './router.svelte';

const KEY = Symbol('dreamprm-app');

interface AppContext {
  app: AppState;
  router: Router;
  /** the one deletion dialog */
  deletes: DeleteState;
}

/** The app and its router are one per window; pages read them from context, not props. */
export function provideApp(ctx: AppContext): void {
  setContext(KEY, ctx);
}

export function useApp(): AppContext {
  const ctx = getContext<AppContext | undefined>(KEY);
  if (!ctx) throw new Error('useApp() outside the App component');
  return ctx;
}
