/**
 * Defence in depth for `dreamprm serve` beyond the token: the Host header must name this
 * server (DNS rebinding), a browser's Origin must be this server's (HTTP and WebSocket),
 * bodies over MAX_BODY_BYTES get 413, every response says Referrer-Policy: no-referrer, and
 * the token never reaches the log.
 */
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_BODY_BYTES } from '../../src-main/server/request-guards';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { fakeRenderer, fakeStudio, raw } from './server-helpers';

const token = 'guard-token-0123456789abcdef';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
let dir: string;
let server: RunningServer;
let port: number;
const logs: string[] = [];

beforeAll(async () => {
  dir = fakeRenderer();
  server = await startServer({ studio: fakeStudio(), rendererDir: dir, port: 0, token, log: (l) => logs.push(l) });
  port = server.port;
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The status a WebSocket upgrade gets (101 when it opens), with the response's headers. */
function upgrade(options: WebSocket.ClientOptions): Promise<{ status: number; referrer: unknown }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/events`, ['dreamprm', `token.${token}`], options);
  return new Promise((resolve) => {
    ws.once('upgrade', (res) => {
      resolve({ status: 101, referrer: res.headers['referrer-policy'] });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, referrer: res.headers['referrer-policy'] }));
    ws.once('error', () => resolve({ status: -1, referrer: undefined }));
  });
}

describe('the Host header', () => {
  it('a DNS-rebinding name gets 403 on pages, the API and images, even with the token', async () => {
    for (const path of ['/', '/api/info', `/image/7?token=${token}`]) {
      const api = path.startsWith('/api');
      const r = await raw(port, api ? 'POST' : 'GET', path, { ...auth, host: `evil.example:${port}` }, api ? '{}' : undefined);
      expect(r.status, path).toBe(403);
      expect(JSON.parse(r.body).error).toMatchObject({ name: 'Forbidden', message: expect.stringContaining('"evil.example:') });
    }
  });

  it('loopback names with this port are accepted; another port or a malformed host is not', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect((await raw(port, 'POST', '/api/info', { ...auth, host }, '{}')).status, host).toBe(200);
    }
    for (const host of ['127.0.0.1:1', '127.0.0.1', `127.0.0.1:${port}/x`, `user@127.0.0.1:${port}`]) {
      expect((await raw(port, 'POST', '/api/info', { ...auth, host }, '{}')).status, host).toBe(403);
    }
  });

  it('the host given with --host is accepted as well', async () => {
    const other = await startServer({ studio: fakeStudio(), rendererDir: dir, port: 0, token, host: '127.0.0.2', log: () => {} });
    try {
      const r = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.2', port: other.port, method: 'GET', path: '/' }, (res) => resolve(res.statusCode ?? 0));
        req.on('error', reject);
        req.end();
      });
      expect(r).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('the Origin header', () => {
  it("a foreign or opaque origin gets 403 on API calls; the page's own origin and none are accepted", async () => {
    for (const origin of ['http://evil.example', `http://localhost:${port}`, 'null', `https://127.0.0.1:${port}`]) {
      expect((await raw(port, 'POST', '/api/info', { ...auth, origin }, '{}')).status, origin).toBe(403);
    }
    expect((await raw(port, 'POST', '/api/info', { ...auth, origin: `http://127.0.0.1:${port}` }, '{}')).status).toBe(200);
    expect((await raw(port, 'POST', '/api/info', auth, '{}')).status).toBe(200);
  });

  it('a WebSocket from a foreign origin or with a foreign Host is refused with 403; its own origin opens', async () => {
    expect((await upgrade({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await upgrade({ headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect((await upgrade({ origin: `http://127.0.0.1:${port}` })).status).toBe(101);
  });
});

describe('request bodies', () => {
  it(`a body over ${MAX_BODY_BYTES} bytes gets 413 with a JSON error, told by Content-Length or counted`, async () => {
    const big = JSON.stringify({ args: { pad: 'x'.repeat(MAX_BODY_BYTES) } });
    const told = await raw(port, 'POST', '/api/info', { ...auth, 'content-length': String(Buffer.byteLength(big)) }, big);
    expect(told.status).toBe(413);
    expect(JSON.parse(told.body).error).toMatchObject({ name: 'PayloadTooLarge', message: expect.stringContaining('MAX_BODY_BYTES') });
    const counted = await raw(port, 'POST', '/api/info', { ...auth, 'transfer-encoding': 'chunked' }, big);
    expect(counted.status).toBe(413);
    // just under the limit is still read (and answered as the API answers)
    const fits = JSON.stringify({ args: { pad: 'x'.repeat(MAX_BODY_BYTES - 100) } });
    expect((await raw(port, 'POST', '/api/info', auth, fits)).status).toBe(200);
  });
});

describe('every response', () => {
  it('carries Referrer-Policy: no-referrer, refusals and WebSocket upgrades included', async () => {
    const replies = [
      await raw(port, 'GET', '/'),
      await raw(port, 'GET', '/assets/app.js'),
      await raw(port, 'GET', '/nope'),
      await raw(port, 'POST', '/api/info', auth, '{}'),
      await raw(port, 'POST', '/api/info', {}, '{}'),
      await raw(port, 'GET', `/image/7?token=${token}`),
      await raw(port, 'GET', `/image/x?token=${token}`),
      await raw(port, 'GET', '/', { host: 'evil.example' }),
      await raw(port, 'POST', '/api/info', { ...auth, 'content-length': String(MAX_BODY_BYTES + 1) }, 'x'.repeat(MAX_BODY_BYTES + 1)),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 200, 404, 200, 401, 200, 400, 403, 413]);
    for (const r of replies) expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(await upgrade({})).toEqual({ status: 101, referrer: 'no-referrer' });
    expect(await upgrade({ origin: 'http://evil.example' })).toEqual({ status: 403, referrer: 'no-referrer' });
  });
});

describe('the log', () => {
  it('names refused requests by path and reason, once each, and never shows the token', async () => {
    logs.length = 0;
    for (let i = 0; i < 3; i++) await raw(port, 'GET', `/image/7?token=${token}`, { host: `rebound.example:${port}` });
    await raw(port, 'GET', `/?token=${token}`, { origin: `http://x.example/${token}` });
    expect(logs).toHaveLength(2);
    expect(logs[0]).toBe(
      `dreamprm: refused a request for /image/7: Host "rebound.example:${port}" is not a name of this server; open the URL that \`dreamprm serve\` printed`,
    );
    expect(logs[1]).toContain('Origin "http://x.example/<token>"');
    expect(logs.join('\n')).not.toContain(token);
  });
});
