import { BACKEND_CHOICES, initBackend, type BackendChoice } from './backend/select';

/**
 * The one place the trainer starts a tfjs backend: the backend module's initBackend picks the
 * best present one (or the forced one) and installs the fast wasm/cpu kernels.
 */
export type BackendRequest = BackendChoice;
export { BACKEND_CHOICES };

export async function startBackend(prefer: BackendRequest = 'auto', log?: (m: string) => void): Promise<string> {
  const info = await initBackend(prefer, { log });
  for (const note of info.notes) log?.(note);
  return info.name;
}
