import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StudioService, StoredImage } from '../../src-main/core/api/service';
import type { StudioApi, StudioEvent } from '../../src-main/core/api/types';
import { UserError } from '../../src-main/core/errors';

/** A studio with just enough behaviour to test the transport on its own. */
export function fakeStudio(): StudioService & { emit(e: StudioEvent): void; calls: unknown[] } {
  const listeners = new Set<(e: StudioEvent) => void>();
  const calls: unknown[] = [];
  const png: StoredImage = { bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), mime: 'image/png' };
  const api = {
    info: async () => ({ version: 'test', dbPath: ':memory:', backend: { name: 'cpu', note: null }, counts: { sources: 0, domains: 0, cots: 0, runs: 0 } }),
    renameDomain: async (args: unknown) => {
      calls.push(args);
      throw new UserError('domain 99 does not exist');
    },
  } as unknown as StudioApi;
  return {
    api,
    calls,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(e) {
      for (const l of listeners) l(e);
    },
    image(id, thumb) {
      if (id !== 7) return null;
      return thumb ? { bytes: new Uint8Array([1, 2]), mime: 'text/html' } : png;
    },
    close: async () => {},
  };
}

export interface Reply {
  status: number;
  type: string;
  body: string;
  headers: IncomingHttpHeaders;
}

/** A raw request, so paths such as "/image/../x" reach the server unnormalised. */
export function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A folder with a stand-in built renderer: an index page and one asset. */
export function fakeRenderer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dreamprm-serve-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  return dir;
}
