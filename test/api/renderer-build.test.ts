import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RENDERER_DIR } from '../../src-main/server/static-files';

const index = join(DEFAULT_RENDERER_DIR, 'index.html');
const built = existsSync(index);
if (!built) console.warn('renderer build checks skipped: out/renderer is missing (run npx electron-vite build)');

describe.skipIf(!built)('the built renderer page', () => {
  const html = built ? readFileSync(index, 'utf8') : '';
  const decode = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

  it('carries its Content-Security-Policy before any script', () => {
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta).not.toBeNull();
    const csp = decode(meta![1]);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toMatch(/img-src 'self' data: dreamprm-image:/);
    expect(csp).not.toContain('unsafe-eval');
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
  });

  it('has no inline scripts and loads its code relative to the page (file:// in Electron)', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(body.trim()).toBe('');
      expect(attrs).toMatch(/src="\.\/assets\//);
    }
  });
});
