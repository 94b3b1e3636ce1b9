import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDERER_DIR } from '../../src-main/server/static-files';
import { raw } from './server-helpers';

const root = resolve(import.meta.dirname, '../..');
const built = existsSync(join(DEFAULT_RENDERER_DIR, 'index.html'));
if (!built) console.warn('serve command tests skipped: out/renderer is missing (run npx electron-vite build)');

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** `dreamprm serve` as a user runs it, until it prints its URL. */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'serve', ...args], { cwd: root });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolveServed, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('http'));
      if (line) resolveServed({ child, url: line.trim(), stderr: () => err, exit });
    });
    void exit.then((code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

describe.skipIf(!built)('dreamprm serve', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dreamprm-serve-cli-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a loopback URL with a token, guards the API with it, keeps it out of the log and stops cleanly on Ctrl-C', async () => {
    const s = await serve(['--port', '0', '--db', join(dir, 'a.db')]);
    const url = new URL(s.url);
    expect(url.hostname).toBe('127.0.0.1');
    const token = url.searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const api = `${url.origin}/api/info`;
    expect((await fetch(api, { method: 'POST' })).status).toBe(401);
    const ok = await fetch(api, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(await ok.json()).toMatchObject({ ok: true, value: { dbPath: join(dir, 'a.db') } });
    expect((await fetch(url.origin + '/')).status).toBe(200);
    // a rebinding page's request, token in its URL: refused, logged without the token
    const rebound = await raw(Number(url.port), 'GET', `/image/1?token=${token}`, { host: `evil.example:${url.port}` });
    expect(rebound.status).toBe(403);
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(0);
    expect(s.stderr()).not.toMatch(/WARNING/);
    expect(s.stderr()).toContain('refused a request for /image/1: Host "evil.example:');
    expect(s.stderr()).not.toContain(token);
  }, 60_000);

  it('warns on stderr when asked to serve other machines', async () => {
    const s = await serve(['--port', '0', '--host', '0.0.0.0', '--db', join(dir, 'b.db')]);
    expect(s.stderr()).toMatch(/WARNING: serving on 0\.0\.0\.0, reachable from other machines/);
    expect(new URL(s.url).hostname).toBe(hostname().toLowerCase());
    // the printed URL's name is one this server answers to (Host check)
    const printed = new URL(s.url);
    expect((await raw(Number(printed.port), 'GET', '/', { host: printed.host })).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  }, 60_000);

  it('refuses a bad port with a one-line reason', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'serve', '--port', '99999'], { cwd: root });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(err.trim()).toBe('dreamprm: --port must be an integer from 0 to 65535 (got "99999")');
  }, 60_000);
});
