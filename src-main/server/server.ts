/**
 * `dreamprm serve`: the built renderer, the API over HTTP and its events over a WebSocket, for
 * a browser on this machine (or, when asked, another one). Every API, image and event request
 * must carry the random token printed with the URL; every request must name this server in
 * its Host header and, when a browser sends one, its Origin (request-guards.ts). The token
 * never reaches the log.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { contentSecurityPolicy, parseImageId } from '../core/api/guards';
import { dispatch, safeImageMime, type StudioService } from '../core/api/service';
import { UserError } from '../core/errors';
import { allowedHosts, BodyTooLarge, loggablePath, readBody, refusedOrigin } from './request-guards';
import { checkRendererDir, readStaticFile } from './static-files';

export interface ServeOptions {
  studio: StudioService;
  host?: string;
  /** 0 picks a free port */
  port?: number;
  rendererDir: string;
  /** fixed token for tests; a fresh random one otherwise */
  token?: string;
  /** where refused requests and failures are reported (default: stderr); the token is masked */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  /** the URL to open, token included */
  openUrl: string;
  token: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export const EVENTS_PATH = '/events';
export const TOKEN_PROTOCOL_PREFIX = 'token.';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an HTTP request: an Authorization bearer, an x-dreamprm-token header or ?token=. */
function requestToken(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const header = req.headers['x-dreamprm-token'];
  if (typeof header === 'string') return header;
  return url.searchParams.get('token');
}

/** The token of a WebSocket upgrade: a `token.<token>` subprotocol or ?token=. */
function upgradeToken(req: IncomingMessage, url: URL): string | null {
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const fromProtocol = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return fromProtocol ? fromProtocol.slice(TOKEN_PROTOCOL_PREFIX.length) : url.searchParams.get('token');
}

const CSP = contentSecurityPolicy({ imageSources: ['blob:'] });

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array, cache = 'no-store'): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': CSP,
    'cross-origin-resource-policy': 'same-origin',
    'x-frame-options': 'DENY',
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function sendError(res: ServerResponse, status: number, name: string, message: string): void {
  sendJson(res, status, { ok: false, error: { name, message } });
}

/** A log that never shows the token, whatever a message quotes. */
function masked(token: string, log: (line: string) => void): (line: string) => void {
  return (line) => log(line.split(token).join('<token>'));
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  checkRendererDir(opts.rendererDir);
  const token = opts.token ?? newToken();
  const host = opts.host ?? '127.0.0.1';
  const { studio } = opts;
  /** set once the port is known; no request arrives before */
  let allowed = new Set<string>();
  const log = masked(token, opts.log ?? ((line) => process.stderr.write(`${line}\n`)));
  const logged = new Set<string>();
  /** Each reason once: a hostile page retrying must not flood the terminal. */
  const logRefusal = (why: string, rawUrl: string | undefined): void => {
    if (logged.has(why) || logged.size > 100) return;
    logged.add(why);
    log(`dreamprm: refused a request for ${loggablePath(rawUrl)}: ${why}; open the URL that \`dreamprm serve\` printed`);
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, 'MethodNotAllowed', 'API calls are POST requests');
    let args: unknown;
    try {
      const text = await readBody(req);
      args = text ? (JSON.parse(text) as { args?: unknown }).args : undefined;
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        // The rest of the body is not read: close the connection rather than drain it.
        res.setHeader('connection', 'close');
        return sendError(res, 413, e.name, e.message);
      }
      return sendError(res, 400, 'BadRequest', `the request body is not JSON {"args": ...}: ${(e as Error).message}`);
    }
    const result = await dispatch(studio.api, method, args);
    if (!result.ok && result.error.name === 'UnknownMethod') return sendJson(res, 404, result);
    sendJson(res, 200, result);
  }

  function handleImage(res: ServerResponse, rawId: string, url: URL): void {
    const id = parseImageId(rawId);
    if (id === null) return sendError(res, 400, 'BadImageId', 'an image id is a positive integer');
    const image = studio.image(id, url.searchParams.get('thumb') === '1');
    if (!image) return sendError(res, 404, 'NotFound', `no image with id ${id}`);
    send(res, 200, safeImageMime(image.mime), image.bytes, 'private, max-age=3600');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = refusedOrigin(req, allowed);
    if (refused) {
      logRefusal(refused, req.url);
      return sendError(res, 403, 'Forbidden', `${refused}: open the URL that \`dreamprm serve\` printed`);
    }
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://localhost');
    // The raw path, not the URL-normalised one: "/image/1/../2" must not become "/image/2".
    const rawPath = rawUrl.split('?')[0];
    const isApi = rawPath.startsWith('/api/');
    const isImage = rawPath.startsWith('/image/');
    if (isApi || isImage) {
      if (!sameToken(requestToken(req, url), token)) {
        return sendError(res, 401, 'Unauthorized', 'missing or wrong token: open the URL that `dreamprm serve` printed');
      }
      if (isApi) return handleApi(req, res, rawPath.slice('/api/'.length));
      return handleImage(res, rawPath.slice('/image/'.length), url);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'MethodNotAllowed', 'read-only');
    const file = await readStaticFile(opts.rendererDir, rawPath);
    if (!file) return sendError(res, 404, 'NotFound', `no such page: ${rawPath}`);
    send(res, 200, file.type, file.body, rawPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`dreamprm: ${req.method} ${loggablePath(req.url)} failed: ${(e as Error).message}`);
      if (!res.headersSent) sendError(res, 500, 'InternalError', (e as Error).message);
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('dreamprm') ? 'dreamprm' : false),
  });
  wss.on('headers', (headers) => headers.push('Referrer-Policy: no-referrer'));
  const clients = new Set<WebSocket>();
  const unsubscribe = studio.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nReferrer-Policy: no-referrer\r\nContent-Length: 0\r\n\r\n`);
    };
    const refused = refusedOrigin(req, allowed);
    if (refused) {
      logRefusal(refused, req.url);
      return refuse('403 Forbidden');
    }
    if (url.pathname !== EVENTS_PATH) return refuse('404 Not Found');
    if (!sameToken(upgradeToken(req, url), token)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new UserError(`port ${opts.port} on ${host} is in use: choose another with --port (0 picks a free one)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new UserError(`cannot bind to ${host}: no such address on this machine`));
      else reject(e);
    });
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(host, port);
  // A wildcard address is not something to type into a browser: name the machine instead.
  const shown = host === '0.0.0.0' || host === '::' ? hostname() : host;
  const urlHost = shown.includes(':') ? `[${shown}]` : shown;
  const base = `http://${urlHost}:${port}/`;

  let closed: Promise<void> | undefined;
  return {
    url: base,
    openUrl: `${base}?token=${token}`,
    token,
    host,
    port,
    close() {
      closed ??= (async () => {
        unsubscribe();
        for (const ws of clients) ws.terminate();
        wss.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closed;
    },
  };
}
