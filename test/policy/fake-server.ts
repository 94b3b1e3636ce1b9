import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake server answers one request with. */
export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** an object is sent as JSON; a string as it is (for malformed replies) */
  body: unknown;
  /** wait this long before answering (a slow server) */
  delayMs?: number;
}

export type FakeMessage = { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] };

export interface FakeRequest {
  /** e.g. /v1/chat/completions, /v1/embeddings, /pooling */
  path: string;
  body: {
    model: string;
    /** chat completions, chat-style embeddings and pooling */
    messages: FakeMessage[];
    /** text embeddings: one string or a list */
    input?: string | string[];
    n?: number;
    temperature?: number;
    max_tokens?: number;
    logprobs?: boolean;
    top_logprobs?: number;
    dimensions?: number;
  };
  headers: IncomingMessage['headers'];
  /** the text of the last turn (for text embeddings: the inputs, one per line) */
  prompt: string;
  /** data: URLs of the images sent */
  images: string[];
  /** a short hash of the prompt: one logical request, however often it is retried */
  key: string;
  /** 1 for the first time this key is seen, 2 for its retry, ... */
  hit: number;
}

export interface FakeServer {
  url: string;
  /** hits per prompt key */
  hits: Map<string, number>;
  requests: FakeRequest[];
  /** resolves once no request is still being received (a hit is counted when its body ends) */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function promptKey(prompt: string): string {
  return createHash('sha1').update(prompt).digest('hex').slice(0, 12);
}

/** An OpenAI-style chat completion reply with these texts as its choices. */
export function chatReply(texts: string[], usage = { prompt_tokens: 100, completion_tokens: 20 * texts.length }) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    model: 'fake',
    choices: texts.map((content, index) => ({ index, message: { role: 'assistant', content }, finish_reason: 'stop' })),
    usage,
  };
}

/** Text and images of a message's content. */
export function contentOf(m: FakeMessage | undefined): { text: string; images: string[] } {
  if (!m) return { text: '', images: [] };
  const parts = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
  return {
    text: parts.filter((p) => p.type === 'text').map((p) => ('text' in p ? (p.text ?? '') : '')).join(''),
    images: parts.filter((p) => p.type === 'image_url').map((p) => ('image_url' in p ? (p.image_url?.url ?? '') : '')),
  };
}

/**
 * A local server on 127.0.0.1 and a free port that answers every POST (chat completions,
 * embeddings, pooling: `respond` looks at `path`) with `respond`, which sees the parsed
 * request and how often its prompt came before. A `respond` that throws gives a 500 naming
 * the error, so a test's mistake shows instead of a hanging request.
 */
export async function startFakeServer(respond: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>): Promise<FakeServer> {
  const hits = new Map<string, number>();
  const requests: FakeRequest[] = [];
  let receiving = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    receiving++;
    let counted = false;
    const received = () => {
      if (!counted) receiving--;
      counted = true;
    };
    req.on('close', received);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received();
      void (async () => {
        if (req.method !== 'POST') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeRequest['body'];
        body.messages ??= [];
        const last = contentOf(body.messages[body.messages.length - 1]);
        const inputs = body.input === undefined ? [] : Array.isArray(body.input) ? body.input : [body.input];
        const prompt = body.messages.length ? last.text : inputs.join('\n');
        const key = promptKey(prompt);
        const hit = (hits.get(key) ?? 0) + 1;
        hits.set(key, hit);
        const r: FakeRequest = { path: req.url ?? '', body, headers: req.headers, prompt, images: last.images, key, hit };
        requests.push(r);
        let out: FakeResponse;
        try {
          out = await respond(r);
        } catch (e) {
          out = { status: 500, body: { error: { message: `fake server: ${(e as Error).message}` } } };
        }
        if (out.delayMs) await new Promise((f) => setTimeout(f, out.delayMs));
        if (res.destroyed) return;
        res.writeHead(out.status ?? 200, { 'content-type': 'application/json', ...out.headers });
        res.end(typeof out.body === 'string' ? out.body : JSON.stringify(out.body));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    hits,
    requests,
    idle: async () => {
      // A connection opened just before the client gave up may not have reached us yet.
      await new Promise((f) => setTimeout(f, 50));
      while (receiving > 0) await new Promise((f) => setTimeout(f, 5));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
