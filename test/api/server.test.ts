import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StudioEvent } from '../../src-main/core/api/types';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { fakeRenderer, fakeStudio, raw } from './server-helpers';

describe('dreamprm serve transport', () => {
  let dir: string;
  let server: RunningServer;
  const studio = fakeStudio();
  const token = 'test-token-0123456789';
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    dir = fakeRenderer();
    server = await startServer({ studio, rendererDir: dir, port: 0, token });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 and prints a URL carrying the token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.openUrl).toBe(`http://127.0.0.1:${server.port}/?token=${token}`);
  });

  it('serves the renderer with a CSP and without a token', async () => {
    const page = await raw(server.port, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    const js = await raw(server.port, 'GET', '/assets/app.js');
    expect(js.type).toContain('text/javascript');
  });

  it('refuses static paths outside the renderer folder', async () => {
    for (const path of ['/../package.json', '/assets/../../x', '/%2e%2e/%2e%2e/etc/passwd', '/etc/passwd', '/assets%2f..%2f..%2fx']) {
      const r = await raw(server.port, 'GET', path);
      expect(r.status, path).toBe(404);
    }
  });

  it('answers API calls with result values', async () => {
    const ok = await raw(server.port, 'POST', '/api/info', auth, '{}');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, value: { version: 'test' } });
    const failed = await raw(server.port, 'POST', '/api/renameDomain', auth, JSON.stringify({ args: { domainId: 99, name: 'x' } }));
    expect(JSON.parse(failed.body)).toEqual({ ok: false, error: { name: 'UserError', message: 'domain 99 does not exist' } });
    expect(studio.calls).toContainEqual({ domainId: 99, name: 'x' });
  });

  it('refuses API calls without the right token', async () => {
    const cases: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${token}x` }, { 'x-dreamprm-token': '' }];
    for (const headers of cases) {
      const r = await raw(server.port, 'POST', '/api/info', headers, '{}');
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).error.name).toBe('Unauthorized');
    }
  });

  it('refuses unknown methods, prototype names, GET and bad JSON', async () => {
    expect((await raw(server.port, 'POST', '/api/constructor', auth, '{}')).status).toBe(404);
    expect((await raw(server.port, 'POST', '/api/dropTables', auth, '{}')).status).toBe(404);
    expect((await raw(server.port, 'GET', '/api/info', auth)).status).toBe(405);
    const bad = await raw(server.port, 'POST', '/api/info', auth, '{not json');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/not JSON/);
  });

  it('serves images by existing id only, with a safe content type', async () => {
    const img = await raw(server.port, 'GET', `/image/7?token=${token}`);
    expect(img.status).toBe(200);
    expect(img.type).toBe('image/png');
    // A stored type that is not an image is never served as such (no HTML from the image route).
    const thumb = await raw(server.port, 'GET', `/image/7?thumb=1&token=${token}`);
    expect(thumb.type).toBe('application/octet-stream');
    expect((await raw(server.port, 'GET', `/image/8?token=${token}`)).status).toBe(404);
  });

  it('refuses image requests without the token, with made-up or path-like ids', async () => {
    expect((await raw(server.port, 'GET', '/image/7')).status).toBe(401);
    expect((await raw(server.port, 'GET', '/image/7?token=nope')).status).toBe(401);
    for (const id of ['../etc/passwd', '..%2f..%2fetc%2fpasswd', '%2e%2e', '1/../7', '7/', '0', '-7', '7.png', 'abc']) {
      const r = await raw(server.port, 'GET', `/image/${id}?token=${token}`);
      expect(r.status, id).toBe(400);
    }
  });

  it('streams events over a WebSocket that presents the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`, ['dreamprm', `token.${token}`]);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const got = new Promise<StudioEvent>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)) as StudioEvent)));
    studio.emit({ type: 'run-status', runId: 3, status: 'completed', error: null });
    expect(await got).toEqual({ type: 'run-status', runId: 3, status: 'completed', error: null });
    ws.close();
  });

  it('refuses WebSockets without the token', async () => {
    for (const protocols of [['dreamprm'], ['dreamprm', 'token.wrong']]) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`, protocols);
      const status = await new Promise<number>((resolve) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('error', () => resolve(-1));
      });
      expect(status).toBe(401);
    }
  });
});

describe('serve without a built renderer', () => {
  it('says to run npm run build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dreamprm-empty-'));
    await expect(startServer({ studio: fakeStudio(), rendererDir: dir })).rejects.toThrow(/npm run build/);
    rmSync(dir, { recursive: true, force: true });
  });
});
