import { z } from 'zod';
import type { Endpoint } from './endpoint';
import { Limiter, sleep as defaultSleep } from './limiter';

export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ChatContentPart[];
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** completions wanted from this one request */
  n?: number;
  temperature?: number;
  maxTokens?: number;
}

export interface ChatReply {
  texts: string[];
  finishReasons: (string | null)[];
  promptTokens: number;
  completionTokens: number;
}

export type ChatErrorKind = 'http' | 'rate-limit' | 'timeout' | 'network' | 'malformed' | 'incomplete' | 'aborted';

/** Every request ends in one of these; the client itself never throws for a server's fault. */
export type ChatOutcome =
  | { ok: true; reply: ChatReply; attempts: number }
  | { ok: false; kind: ChatErrorKind; error: string; attempts: number; status?: number };

export interface RetryInfo {
  attempt: number;
  kind: ChatErrorKind;
  error: string;
  delayMs: number;
}

export interface ChatClientOptions {
  /** requests in flight at once (retries and their waits hold the slot) */
  concurrency?: number;
  /** per attempt, including reading the reply */
  timeoutMs?: number;
  /** total tries per request, the first included */
  maxAttempts?: number;
  /** first backoff; doubles per attempt, capped by maxBackoffMs, with jitter */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** a server's Retry-After longer than this is cut to it */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (info: RetryInfo) => void;
}

export interface ChatClient {
  readonly endpoint: Endpoint;
  readonly concurrency: number;
  complete(req: ChatRequest, signal?: AbortSignal): Promise<ChatOutcome>;
}

const contentPart = z.object({ type: z.string(), text: z.string().optional() });
const replySchema = z.object({
  choices: z.array(
    z.object({
      index: z.number().optional(),
      message: z.object({ content: z.union([z.string(), z.array(contentPart), z.null()]).optional() }).optional(),
      finish_reason: z.string().nullable().optional(),
    }),
  ),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
    .nullable()
    .optional(),
});

class Attempt extends Error {
  constructor(
    readonly kind: ChatErrorKind,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * A client for `POST {baseUrl}/chat/completions`. Retries 5xx, 408, network errors, timeouts
 * and malformed replies with exponential backoff and jitter; a 429 waits for Retry-After when
 * the server sends one. Other 4xx replies are final (retrying a bad request cannot help).
 */
export function createChatClient(endpoint: Endpoint, opts: ChatClientOptions = {}): ChatClient {
  const concurrency = opts.concurrency ?? 4;
  const limiter = new Limiter(concurrency);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const maxAttempts = opts.maxAttempts ?? 5;
  const backoffMs = opts.backoffMs ?? 1000;
  const maxBackoffMs = opts.maxBackoffMs ?? 60_000;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 300_000;
  const doFetch = opts.fetch ?? fetch;
  const wait = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const url = `${endpoint.baseUrl}/chat/completions`;

  async function attempt(req: ChatRequest, signal: AbortSignal | undefined): Promise<ChatReply> {
    const n = req.n ?? 1;
    const body = JSON.stringify({
      model: endpoint.model,
      messages: req.messages,
      n,
      ...(req.temperature !== undefined && { temperature: req.temperature }),
      ...(req.maxTokens !== undefined && { max_tokens: req.maxTokens }),
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Attempt('timeout', `no complete reply within ${timeoutMs / 1000} s`, true)), timeoutMs);
    const onOuterAbort = () => ctl.abort(new Attempt('aborted', 'cancelled', false));
    if (signal?.aborted) onOuterAbort();
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const res = await doFetch(url, { method: 'POST', headers, body, signal: ctl.signal });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
    } catch (e) {
      if (ctl.signal.aborted && ctl.signal.reason instanceof Attempt) throw ctl.signal.reason;
      throw new Attempt('network', `cannot reach ${url}: ${networkReason(e)}`, true);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onOuterAbort);
    }
    if (status < 200 || status >= 300) throw httpError(status, text, retryAfter);
    return parseReply(text, n);
  }

  function httpError(status: number, text: string, retryAfter: string | null): Attempt {
    const detail = serverMessage(text);
    const msg = `HTTP ${status} from ${url}${detail ? `: ${detail}` : ''}`;
    if (status === 429) return new Attempt('rate-limit', msg, true, status, parseRetryAfter(retryAfter));
    if (status === 401 || status === 403) {
      return new Attempt('http', `${msg} (check the API key: DREAMPRM_API_KEY or OPENAI_API_KEY)`, false, status);
    }
    if (status === 404) return new Attempt('http', `${msg} (check --base-url: it should end where /chat/completions begins, e.g. .../v1)`, false, status);
    return new Attempt('http', msg, status >= 500 || status === 408, status);
  }

  async function complete(req: ChatRequest, signal?: AbortSignal): Promise<ChatOutcome> {
    return limiter.run(async () => {
      for (let n = 1; ; n++) {
        try {
          const reply = await attempt(req, signal);
          return { ok: true, reply, attempts: n };
        } catch (e) {
          const a = e instanceof Attempt ? e : new Attempt('malformed', String(e), false);
          const fail = { ok: false as const, kind: a.kind, error: a.message, attempts: n, ...(a.status !== undefined && { status: a.status }) };
          if (a.kind === 'aborted') return { ...fail, attempts: n - 1 };
          if (!a.retryable || n >= maxAttempts) {
            return n > 1 ? { ...fail, error: `${a.message} (gave up after ${n} attempts)` } : fail;
          }
          const exp = Math.min(maxBackoffMs, backoffMs * 2 ** (n - 1));
          // Equal jitter: never less than half the backoff, so a crowd of clients spreads out.
          let delayMs = exp / 2 + random() * (exp / 2);
          if (a.retryAfterMs !== undefined) delayMs = Math.min(maxRetryAfterMs, a.retryAfterMs);
          opts.onRetry?.({ attempt: n, kind: a.kind, error: a.message, delayMs });
          try {
            await wait(delayMs, signal);
          } catch {
            return { ok: false, kind: 'aborted', error: 'cancelled', attempts: n };
          }
        }
      }
    });
  }

  return { endpoint, concurrency, complete };
}

function parseReply(text: string, n: number): ChatReply {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Attempt('malformed', `reply is not JSON: ${snippet(text)}`, true);
  }
  const err = serverMessage(text);
  if (err && (json as { choices?: unknown }).choices === undefined) throw new Attempt('http', `server error in reply: ${err}`, true);
  const r = replySchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.join('.') || '(reply)';
    throw new Attempt('malformed', `malformed reply: ${where} ${issue.message.toLowerCase()}: ${snippet(text)}`, true);
  }
  const choices = [...r.data.choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  if (!choices.length) throw new Attempt('malformed', `malformed reply: no choices: ${snippet(text)}`, true);
  const texts = choices.map((c, i) => {
    const content = c.message?.content;
    const s = typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => p.text ?? '').join('') : '';
    if (!s.trim()) throw new Attempt('malformed', `malformed reply: choice ${i} has no text content (finish_reason ${c.finish_reason ?? 'none'})`, true);
    return s;
  });
  if (texts.length < n) {
    // A server that ignores `n` (Ollama, llama.cpp) answers with one choice every time.
    throw new Attempt(
      'incomplete',
      `asked for ${n} completions, the server returned ${texts.length}: it may not support "n"; use --per-request 1`,
      false,
    );
  }
  return {
    texts: texts.slice(0, n),
    finishReasons: choices.slice(0, n).map((c) => c.finish_reason ?? null),
    promptTokens: r.data.usage?.prompt_tokens ?? 0,
    completionTokens: r.data.usage?.completion_tokens ?? 0,
  };
}

/** The server's own error message from an OpenAI-style `{error: {message}}` body, if any. */
function serverMessage(text: string): string | null {
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (j.error && typeof j.error === 'object' && typeof (j.error as { message?: unknown }).message === 'string') {
      return (j.error as { message: string }).message;
    }
    return null;
  } catch {
    return text.trim() ? snippet(text) : null;
  }
}

/** Retry-After is seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value.trim());
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}

function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? `"${t.slice(0, 157)}..."` : `"${t}"`;
}
