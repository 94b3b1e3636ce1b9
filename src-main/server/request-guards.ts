/**
 * Defence in depth for `dreamprm serve`, on top of the token: a request must name this server
 * in its Host header (a DNS-rebinding page reaches the port under its own name), come from
 * this server's origin when a browser says where it comes from, and carry a small body.
 */
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

/** Largest API request body, in bytes (1 MiB): API arguments are small objects. Larger ones get 413. */
export const MAX_BODY_BYTES = 1 << 20;

/** The body is larger than MAX_BODY_BYTES: answered with 413. */
export class BodyTooLarge extends Error {
  override name = 'PayloadTooLarge';
  constructor() {
    super(`the request body is larger than ${MAX_BODY_BYTES} bytes (MAX_BODY_BYTES), far more than any API call needs`);
  }
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** The names this machine answers to, for a server bound to every address (--host 0.0.0.0). */
function machineNames(): string[] {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
  return [hostname(), ...addresses];
}

/** "name:port", with IPv6 names bracketed and names lower-cased, as a Host header or an origin spells them. */
function hostKey(name: string, port: number | string): string {
  const bare = name.replace(/^\[|\]$/g, '').toLowerCase();
  return `${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

/** Host header values this server accepts: loopback names and the configured host, with its port. */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = ['localhost', '127.0.0.1', '::1', host, ...(WILDCARDS.has(host) ? machineNames() : [])];
  return new Set(names.filter((n) => !WILDCARDS.has(n)).map((n) => hostKey(n, port)));
}

/** A Host header (or an origin's host) as a key of allowedHosts, or null when it is not host[:port]. */
function keyOf(hostHeader: string): string | null {
  try {
    const url = new URL(`http://${hostHeader}`);
    if (url.host.toLowerCase() !== hostHeader.toLowerCase().replace(/:80$/, '')) return null; // paths, user info...
    return hostKey(url.hostname, url.port || '80');
  } catch {
    return null;
  }
}

/** A header value as it may be shown and logged: escaped (no terminal control characters) and short. */
function quoted(value: string): string {
  return JSON.stringify(value.slice(0, 100));
}

/** Why the request must be refused for its Host or Origin header, or null when both are this server's. */
export function refusedOrigin(req: IncomingMessage, allowed: Set<string>): string | null {
  const host = req.headers.host ?? '';
  const hostOk = keyOf(host);
  if (!hostOk || !allowed.has(hostOk)) return `Host ${quoted(host)} is not a name of this server`;
  const origin = req.headers.origin;
  // No Origin: not a browser's cross-origin request (curl, scripts); they still need the token.
  if (origin === undefined) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(origin);
  } catch {
    // "null" and other opaque origins are refused below
  }
  const key = parsed?.protocol === 'http:' ? keyOf(parsed.host) : null;
  if (!key || key !== hostOk) return `Origin ${quoted(origin)} is not this server's`;
  return null;
}

/** The request body, refused with BodyTooLarge past MAX_BODY_BYTES (told by Content-Length, or counted). */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A path as it may be logged: without its query string, which may carry the access token. */
export function loggablePath(rawUrl: string | undefined): string {
  return (rawUrl ?? '/').split('?')[0].slice(0, 200);
}
