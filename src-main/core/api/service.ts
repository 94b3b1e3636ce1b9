/**
 * What every transport (Electron IPC, `dreamprm serve`, tests) needs from the studio: the API,
 * its events, and images by id. Node-side only.
 */
import { settle } from './rpc';
import { isApiMethod } from './guards';
import type { ApiMethod, ApiResult, StudioApi, StudioEvent } from './types';

export interface StoredImage {
  bytes: Uint8Array;
  mime: string;
}

export interface StudioService {
  readonly api: StudioApi;
  /** every event of the studio until the returned function is called */
  subscribe(listener: (event: StudioEvent) => void): () => void;
  /** an image (or its thumbnail) by id; null when there is no such image */
  image(id: number, thumb: boolean): StoredImage | null;
  close(): Promise<void>;
}

/**
 * One call from an untrusted transport: the method must be a name of the API; whatever the
 * method throws comes back as a value.
 */
export async function dispatch(api: StudioApi, method: unknown, args: unknown): Promise<ApiResult<unknown>> {
  if (!isApiMethod(method)) {
    return { ok: false, error: { name: 'UnknownMethod', message: `no API method named ${JSON.stringify(method)}` } };
  }
  const fn = api[method] as (arg: unknown) => Promise<unknown>;
  return settle(() => fn.call(api, args));
}

/** Image types the studio hands out as such; anything else is served as opaque bytes. */
const IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif']);

export function safeImageMime(mime: string): string {
  return IMAGE_MIMES.has(mime) ? mime : 'application/octet-stream';
}

export type { ApiMethod };
