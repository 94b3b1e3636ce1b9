import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatClient, parseRetryAfter, type ChatClientOptions } from '../../src-main/core/policy/chat-client';
import { resolveEndpoint } from '../../src-main/core/policy/endpoint';
import { userMessage } from '../../src-main/core/policy/messages';
import { chatReply, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './fake-server';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A client against a fresh fake server, with instant (recorded) backoff waits. */
async function setup(respond: (r: FakeRequest) => FakeResponse | Promise<FakeResponse>, opts: ChatClientOptions = {}) {
  server = await startFakeServer(respond);
  const delays: number[] = [];
  const client = createChatClient(
    { baseUrl: server.url, model: 'fake-vl', apiKey: 'sk-test' },
    { maxAttempts: 3, sleep: async (ms) => void delays.push(ms), random: () => 0.5, ...opts },
  );
  return { client, delays, server };
}

const ask = { messages: [userMessage('What is 2+2?', ['data:image/png;base64,AAAA'])], n: 2, temperature: 0.5, maxTokens: 64 };

describe('chat client', () => {
  it('sends the OpenAI request shape and reads texts and token usage', async () => {
    const { client, server } = await setup(() => ({ body: chatReply(['Final answer: 4', 'Final answer: 5'], { prompt_tokens: 11, completion_tokens: 7 }) }));
    const out = await client.complete(ask);
    expect(out).toEqual({
      ok: true,
      attempts: 1,
      reply: { texts: ['Final answer: 4', 'Final answer: 5'], finishReasons: ['stop', 'stop'], promptTokens: 11, completionTokens: 7 },
    });
    const req = server.requests[0];
    expect(req.body).toMatchObject({ model: 'fake-vl', n: 2, temperature: 0.5, max_tokens: 64 });
    expect(req.body.messages[0].content).toEqual([
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      { type: 'text', text: 'What is 2+2?' },
    ]);
    expect(req.headers.authorization).toBe('Bearer sk-test');
  });

  it('retries a 500 with exponential backoff and jitter, then succeeds', async () => {
    const retries: string[] = [];
    const { client, delays } = await setup(
      (r) => (r.hit <= 2 ? { status: 500, body: { error: { message: 'CUDA out of memory' } } } : { body: chatReply(['a', 'b']) }),
      { backoffMs: 100, onRetry: (i) => retries.push(i.error) },
    );
    const out = await client.complete(ask);
    expect(out.ok && out.attempts).toBe(3);
    // equal jitter with random() = 0.5: 3/4 of 100 ms, then of 200 ms
    expect(delays).toEqual([75, 150]);
    expect(retries[0]).toMatch(/HTTP 500 .*CUDA out of memory/);
  });

  it('waits for Retry-After on 429 instead of its own backoff', async () => {
    const { client, delays } = await setup((r) =>
      r.hit === 1 ? { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'slow down' } } } : { body: chatReply(['x', 'y']) },
    );
    const out = await client.complete(ask);
    expect(out.ok).toBe(true);
    expect(delays).toEqual([2000]);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('gives up on a server that stays too slow, saying so', async () => {
    const { client } = await setup(() => ({ body: chatReply(['late', 'late']), delayMs: 400 }), { timeoutMs: 100, maxAttempts: 2 });
    const out = await client.complete(ask);
    expect(out).toMatchObject({ ok: false, kind: 'timeout', attempts: 2 });
    expect(!out.ok && out.error).toMatch(/no complete reply within 0.1 s \(gave up after 2 attempts\)/);
  });

  it('times out a reply that starts and then stalls', async () => {
    const stall = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"choices": [');
    });
    await new Promise<void>((f) => stall.listen(0, '127.0.0.1', f));
    const { port } = stall.address() as AddressInfo;
    const client = createChatClient({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', apiKey: null }, { timeoutMs: 150, maxAttempts: 1 });
    const out = await client.complete(ask);
    stall.closeAllConnections();
    stall.close();
    expect(out).toMatchObject({ ok: false, kind: 'timeout', attempts: 1 });
  });

  it('records malformed JSON, missing choices and empty content as clear errors, not crashes', async () => {
    const bodies: unknown[] = ['<html>502 Bad Gateway</html>', { id: 'x', object: 'chat.completion' }, { choices: [] }, chatReply(['ok', '   '])];
    for (const body of bodies) {
      const { client } = await setup(() => ({ body }), { maxAttempts: 2 });
      const out = await client.complete(ask);
      expect(out.ok).toBe(false);
      if (out.ok) continue;
      expect(out.kind).toBe('malformed');
      expect(out.attempts).toBe(2);
      await server!.close();
      server = undefined;
      expect(out.error).toMatch(/reply is not JSON: "<html>502|choices.*expected array|no choices|choice 1 has no text content/);
    }
  });

  it('does not retry a 400, and explains 401 and 404', async () => {
    const { client, server: s } = await setup(() => ({ status: 400, body: { error: { message: 'image too large' } } }));
    const out = await client.complete(ask);
    expect(out).toMatchObject({ ok: false, kind: 'http', status: 400, attempts: 1 });
    expect(!out.ok && out.error).toMatch(/HTTP 400 .*image too large/);
    expect(s.requests).toHaveLength(1);
    await s.close();
    server = undefined;

    const c401 = await setup(() => ({ status: 401, body: { error: 'invalid key' } }));
    const o401 = await c401.client.complete(ask);
    expect(!o401.ok && o401.error).toMatch(/invalid key .*DREAMPRM_API_KEY/);
  });

  it('retries network errors and reports the cause', async () => {
    const s = await startFakeServer(() => ({ body: {} }));
    const url = s.url;
    await s.close(); // nothing listens there any more
    const delays: number[] = [];
    const client = createChatClient({ baseUrl: url, model: 'm', apiKey: null }, { maxAttempts: 2, sleep: async (ms) => void delays.push(ms) });
    const out = await client.complete(ask);
    expect(out).toMatchObject({ ok: false, kind: 'network', attempts: 2 });
    expect(!out.ok && out.error).toMatch(/cannot reach .*ECONNREFUSED/);
    expect(delays).toHaveLength(1);
  });

  it('refuses a server that ignores n, with the way out', async () => {
    const { client, server: s } = await setup(() => ({ body: chatReply(['only one']) }));
    const out = await client.complete({ ...ask, n: 3 });
    expect(out).toMatchObject({ ok: false, kind: 'incomplete', attempts: 1 });
    expect(!out.ok && out.error).toMatch(/asked for 3 completions, the server returned 1.*--per-request 1/);
    expect(s.requests).toHaveLength(1);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const { client } = await setup(
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((f) => setTimeout(f, 30));
        inFlight--;
        return { body: chatReply(['a', 'b']) };
      },
      { concurrency: 3 },
    );
    const outs = await Promise.all(Array.from({ length: 10 }, () => client.complete(ask)));
    expect(outs.every((o) => o.ok)).toBe(true);
    expect(peak).toBe(3);
  });

  it('stops at once when cancelled', async () => {
    const { client } = await setup(() => ({ body: chatReply(['a', 'b']), delayMs: 2000 }));
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const t0 = Date.now();
    const out = await client.complete(ask, ctl.signal);
    expect(out).toMatchObject({ ok: false, kind: 'aborted', attempts: 0 });
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('endpoint', () => {
  it('takes options first, then the environment, and never needs a key', () => {
    expect(resolveEndpoint({ baseUrl: 'http://h:1/v1/', model: 'm' }, {})).toEqual({ baseUrl: 'http://h:1/v1', model: 'm', apiKey: null });
    expect(
      resolveEndpoint({}, { DREAMPRM_BASE_URL: 'https://api.example/v1', DREAMPRM_MODEL: 'vl', OPENAI_API_KEY: 'k2' }),
    ).toEqual({ baseUrl: 'https://api.example/v1', model: 'vl', apiKey: 'k2' });
    expect(resolveEndpoint({ baseUrl: 'http://h/v1', model: 'm' }, { DREAMPRM_API_KEY: 'k1', OPENAI_API_KEY: 'k2' }).apiKey).toBe('k1');
  });

  it('says what is missing and how to give it', () => {
    expect(() => resolveEndpoint({ model: 'm' }, {})).toThrow(/--base-url .*DREAMPRM_BASE_URL/);
    expect(() => resolveEndpoint({ baseUrl: 'localhost:8000', model: 'm' }, {})).toThrow(/must start with http/);
    expect(() => resolveEndpoint({ baseUrl: 'http://h/v1' }, {})).toThrow(/--model/);
  });
});
