/**
 * Pure security checks shared by the Electron shell and `dreamprm serve`. No I/O here, so each
 * rule is unit-tested on its own.
 */
import { API_METHODS, IMAGE_HOST, type ApiMethod } from './types';

const METHOD_SET: ReadonlySet<string> = new Set(API_METHODS);

/** Only names of the API, never inherited or prototype names such as `constructor`. */
export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && METHOD_SET.has(name);
}

/**
 * An image id as it arrives in a URL segment. Only a plain positive decimal integer is an id;
 * anything path-like ("../x", "1/../2", "%2e%2e", "1.png", " 1") is refused. Returns null
 * when refused. The caller still has to check that the id exists.
 */
export function parseImageId(raw: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * The id of a `dreamprm-image://images/<id>` URL. The id sits in the path, not the host:
 * Chromium canonicalises a numeric host of a standard scheme as an IPv4 address ("12" →
 * "0.0.0.12"). A `?thumb=1` query asks for the thumbnail.
 */
export function parseImageUrl(url: string, scheme: string): { id: number; thumb: boolean } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${scheme}:` || parsed.hostname !== IMAGE_HOST) return null;
  if (parsed.username || parsed.password || parsed.port) return null;
  const match = /^\/([^/]*)$/.exec(parsed.pathname);
  const id = match ? parseImageId(match[1]) : null;
  if (id === null) return null;
  return { id, thumb: parsed.searchParams.get('thumb') === '1' };
}

export interface CspOptions {
  /** extra sources allowed for images, e.g. the custom image scheme */
  imageSources?: readonly string[];
  /** extra sources for fetch/WebSocket, e.g. the dev server's HMR socket */
  connectSources?: readonly string[];
  /** dev servers inject scripts and styles inline */
  dev?: boolean;
  /** for a <meta> tag, which cannot carry frame-ancestors */
  meta?: boolean;
}

/**
 * The Content-Security-Policy of every page. Scripts only from the app itself; style
 * attributes are allowed because Svelte and chart.js set them.
 */
export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const img = ["'self'", 'data:', ...(opts.imageSources ?? [])];
  const connect = ["'self'", ...(opts.connectSources ?? [])];
  const script = opts.dev ? ["'self'", "'unsafe-inline'"] : ["'self'"];
  return [
    "default-src 'self'",
    `script-src ${script.join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src ${img.join(' ')}`,
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    ...(opts.meta ? [] : ["frame-ancestors 'none'"]),
  ].join('; ');
}

/**
 * Whether a frame URL belongs to the app: the packaged renderer (file:// under the app's
 * renderer folder) or the dev server's origin. Anything else (a navigated-away page, an
 * iframe from elsewhere) may not call the API.
 */
export function isTrustedFrameUrl(
  frameUrl: string | undefined,
  trusted: { devOrigin?: string; rendererFileUrl?: string },
): boolean {
  if (!frameUrl) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (trusted.devOrigin) {
    try {
      if (url.origin === new URL(trusted.devOrigin).origin) return true;
    } catch {
      return false;
    }
  }
  if (trusted.rendererFileUrl && url.protocol === 'file:') {
    const base = new URL(trusted.rendererFileUrl);
    return url.pathname === base.pathname;
  }
  return false;
}

/** Hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
