/** The one rule for where a stored job's requests may go (src-main/core/policy/server-trust.ts). */
import { describe, expect, it } from 'vitest';
import { canonicalBaseUrl, chooseServer, TrustedServers, UntrustedServerError } from '../../src-main/core/policy/server-trust';

describe('chooseServer, the rule both the CLI and the app ask', () => {
  const hint = 'Say so to use it.';

  it('refuses a stored server nobody named, with UntrustedServerError naming its host and the hint', () => {
    expect(() => chooseServer(4, 'http://evil.example:8000/v1', { consentHint: hint })).toThrow(UntrustedServerError);
    expect(() => chooseServer(4, 'http://evil.example:8000/v1', { consentHint: hint })).toThrow(
      /job 4 was planned against http:\/\/evil\.example:8000\/v1 \(host evil\.example:8000\).*Say so to use it\./,
    );
  });

  it('accepts a server named in this process however it is spelt, and remembers a consent', () => {
    const trusted = new TrustedServers({ DREAMPRM_BASE_URL: 'http://LOCALHOST:80/v1/' });
    expect(chooseServer(1, 'http://localhost/v1', { trusted, consentHint: hint })).toEqual({ baseUrl: 'http://localhost/v1', replaced: null });
    expect(() => chooseServer(2, 'http://other:1/v1', { trusted, consent: 'http://third:1/v1', consentHint: hint })).toThrow(/is not job 2's server/);
    chooseServer(2, 'http://other:1/v1', { trusted, consent: 'http://other:1/v1/', consentHint: hint });
    expect(trusted.has('http://other:1/v1')).toBe(true);
    expect(canonicalBaseUrl(' http://Other:1/v1// ')).toBe('http://other:1/v1');
  });

  it('a current server replaces the stored one and reports which it replaced', () => {
    expect(chooseServer(3, 'http://a/v1', { current: 'http://b/v1', consentHint: hint })).toEqual({ baseUrl: 'http://b/v1', replaced: 'http://a/v1' });
    expect(chooseServer(3, 'http://a/v1', { current: 'http://a/v1/', consentHint: hint }).replaced).toBeNull();
  });
});
