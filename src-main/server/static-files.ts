import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors';

/** The renderer that `npm run build` (electron-vite build) writes. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Refuses to serve without a built renderer, saying how to build it. */
export function checkRendererDir(dir: string): void {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new UserError(
      `the app's web files are missing (${join(dir, 'index.html')} not found). ` +
        'Build them once with `npm run build`, then run `dreamprm serve` again.',
    );
  }
}

export interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * A file of the built renderer for a URL path, or null. The decoded path must stay inside
 * `dir`; dot segments, backslashes and NUL bytes are refused outright.
 */
export async function readStaticFile(dir: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded === '/' || decoded === '') decoded = '/index.html';
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').some((seg) => seg === '..' || seg === '.')) return null;
  const full = normalize(join(dir, decoded));
  if (!full.startsWith(normalize(dir + sep))) return null;
  try {
    if (!statSync(full).isFile()) return null;
  } catch {
    return null;
  }
  return { body: await readFile(full), type: TYPES[extname(full)] ?? 'application/octet-stream' };
}
