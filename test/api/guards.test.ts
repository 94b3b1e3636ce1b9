import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  isApiMethod,
  isLoopbackHost,
  isTrustedFrameUrl,
  parseImageId,
  parseImageUrl,
} from '../../src-main/core/api/guards';
import { API_METHODS } from '../../src-main/core/api/types';

describe('isApiMethod', () => {
  it('accepts every method of the API', () => {
    for (const m of API_METHODS) expect(isApiMethod(m)).toBe(true);
  });

  it('refuses prototype names, other types and unknown names', () => {
    for (const bad of ['constructor', '__proto__', 'toString', 'hasOwnProperty', '', 'deleteEverything', 'info ']) {
      expect(isApiMethod(bad)).toBe(false);
    }
    for (const bad of [undefined, null, 1, {}, ['info']]) expect(isApiMethod(bad)).toBe(false);
  });
});

describe('parseImageId', () => {
  it('accepts plain positive integers', () => {
    expect(parseImageId('1')).toBe(1);
    expect(parseImageId('42')).toBe(42);
    expect(parseImageId('9007199254740991')).toBe(9007199254740991);
  });

  it('refuses path-like, encoded, signed, padded and non-decimal ids', () => {
    for (const bad of [
      '',
      '0',
      '-1',
      '+1',
      '01',
      ' 1',
      '1 ',
      '1.0',
      '1e3',
      '0x10',
      '../etc/passwd',
      '..',
      '1/../2',
      '%2e%2e',
      '%2e%2e%2fetc%2fpasswd',
      '1%00',
      '1.png',
      '1/2',
      '1\\2',
      'NaN',
      'Infinity',
      '99999999999999999999',
    ]) {
      expect(parseImageId(bad), bad).toBeNull();
    }
  });
});

describe('parseImageUrl', () => {
  it('reads the id from the path and the thumbnail flag from the query', () => {
    expect(parseImageUrl('dreamprm-image://images/12', 'dreamprm-image')).toEqual({ id: 12, thumb: false });
    expect(parseImageUrl('dreamprm-image://images/12?thumb=1', 'dreamprm-image')).toEqual({ id: 12, thumb: true });
  });

  it('refuses other schemes and hosts, nested paths, credentials, ports and bad ids', () => {
    for (const bad of [
      'file:///etc/passwd',
      'https://images/12',
      'dreamprm-image://12',
      'dreamprm-image://images/',
      'dreamprm-image://images/12/',
      'dreamprm-image://other/12',
      'dreamprm-image://images/../etc/passwd',
      'dreamprm-image://images/12/../13/x',
      'dreamprm-image://images/12/etc/passwd',
      'dreamprm-image://images/abc',
      'dreamprm-image://images/%2e%2e',
      'dreamprm-image://images/%2e%2e%2fetc%2fpasswd',
      'dreamprm-image://user:pw@images/12',
      'dreamprm-image://images:80/12',
      'not a url',
    ]) {
      expect(parseImageUrl(bad, 'dreamprm-image'), bad).toBeNull();
    }
  });
});

describe('contentSecurityPolicy', () => {
  it('allows scripts only from the app and images from the given schemes', () => {
    const csp = contentSecurityPolicy({ imageSources: ['dreamprm-image:'] });
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toMatch(/img-src 'self' data: dreamprm-image:/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('allows inline scripts only for the dev server', () => {
    expect(contentSecurityPolicy({ dev: true })).toContain("script-src 'self' 'unsafe-inline'");
    expect(contentSecurityPolicy()).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('leaves out frame-ancestors for a meta tag, where browsers ignore it with a console error', () => {
    expect(contentSecurityPolicy({ meta: true })).not.toContain('frame-ancestors');
  });
});

describe('isTrustedFrameUrl', () => {
  const trusted = { devOrigin: 'http://localhost:5173', rendererFileUrl: 'file:///opt/app/out/renderer/index.html' };

  it('trusts the packaged renderer page and the dev server', () => {
    expect(isTrustedFrameUrl('file:///opt/app/out/renderer/index.html', trusted)).toBe(true);
    expect(isTrustedFrameUrl('file:///opt/app/out/renderer/index.html#/runs/3', trusted)).toBe(true);
    expect(isTrustedFrameUrl('http://localhost:5173/#/data', trusted)).toBe(true);
  });

  it('refuses other pages, files and origins', () => {
    for (const bad of [
      undefined,
      '',
      'file:///tmp/evil.html',
      'file:///opt/app/out/renderer/other.html',
      'http://localhost:5174/',
      'https://example.com/',
      'about:blank',
      'not a url',
    ]) {
      expect(isTrustedFrameUrl(bad, trusted), String(bad)).toBe(false);
    }
    expect(isTrustedFrameUrl('http://localhost:5173/', { rendererFileUrl: trusted.rendererFileUrl })).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it('tells loopback hosts from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
