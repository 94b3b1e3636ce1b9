import type { z } from 'zod';
import type { Endpoint } from './endpoint';
import { Limiter, sleep as defaultSleep } from './limiter';

/**
 * One retrying, rate-limited HTTP client for every model-server endpoint a job uses (chat
 * completions, embeddings, pooling). Each call says where it goes, what it sends and how its
 * reply is read; timeouts, retries, Retry-After and concurrency are the same for all.
 */

export type ServerErrorKind = 'http' | 'rate-limit' | 'timeout' | 'network' | 'malformed' | 'incomplete' | 'aborted';

/** Every request ends in one of these; the client itself never throws for a server's fault. */
export type ServerOutcome<R> =
  | { ok: true; reply: R; attempts: number }
  | { ok: false; kind: ServerErrorKind; error: string; attempts: number; status?: number };

/** What a reply was worth: the value a job uses and the tokens the server counted. */
export interface Parsed<R> {
  value: R;
  promptTokens: number;
  completionTokens: number;
}

export interface ServerCall<R> {
  /** appended to the base URL (e.g. "/embeddings"), or with `fromRoot` to the server's origin */
  path: string;
  /** vLLM serves its pooling API at the root, not under /v1 */
  fromRoot?: boolean;
  body: unknown;
  /** reads the JSON reply; throws ReplyError (or any error: malformed, retried) when it cannot */
  parse(json: unknown, text: string): Parsed<R>;
  /** extra advice for a 4xx reply of this endpoint, e.g. "is the server text-only?" */
  hint?(status: number): string | null;
}

export interface RetryInfo {
  attempt: number;
  kind: ServerErrorKind;
  error: string;
  delayMs: number;
}

export interface ServerClientOptions {
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

export interface ServerClient {
  readonly endpoint: Endpoint;
  readonly concurrency: number;
  send<R>(call: ServerCall<R>, signal?: AbortSignal): Promise<ServerOutcome<Parsed<R>>>;
}

/** A reply the job cannot use; `retryable` says whether asking again can help. */
export class ReplyError extends Error {
  constructor(
    readonly kind: ServerErrorKind,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Retries 5xx, 408, network errors, timeouts and malformed replies with exponential backoff
 * and jitter; a 429 waits for Retry-After when the server sends one. Other 4xx replies are
 * final (retrying a bad request cannot help).
 */
export function createServerClient(endpoint: Endpoint, opts: ServerClientOptions = {}): ServerClient {
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

  async function attempt<R>(call: ServerCall<R>, signal: AbortSignal | undefined): Promise<Parsed<R>> {
    const url = urlOf(endpoint.baseUrl, call);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new ReplyError('timeout', `no complete reply within ${timeoutMs / 1000} s`, true)), timeoutMs);
    const onOuterAbort = () => ctl.abort(new ReplyError('aborted', 'cancelled', false));
    if (signal?.aborted) onOuterAbort();
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const res = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(call.body), signal: ctl.signal });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
    } catch (e) {
      if (ctl.signal.aborted && ctl.signal.reason instanceof ReplyError) throw ctl.signal.reason;
      throw new ReplyError('network', `cannot reach ${url}: ${networkReason(e)}`, true);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onOuterAbort);
    }
    if (status < 200 || status >= 300) throw httpError(url, call, status, text, retryAfter);
    return parseJson(text, call);
  }

  async function send<R>(call: ServerCall<R>, signal?: AbortSignal): Promise<ServerOutcome<Parsed<R>>> {
    return limiter.run(async () => {
      for (let n = 1; ; n++) {
        try {
          return { ok: true, reply: await attempt(call, signal), attempts: n };
        } catch (e) {
          const a = e instanceof ReplyError ? e : new ReplyError('malformed', String(e), false);
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

  return { endpoint, concurrency, send };
}

/** Always on the base URL's own server, the one server-trust.ts allowed. */
export function urlOf(baseUrl: string, call: Pick<ServerCall<unknown>, 'path' | 'fromRoot'>): string {
  const path = call.path.startsWith('/') ? call.path : `/${call.path}`;
  return call.fromRoot ? `${new URL(baseUrl).origin}${path}` : `${baseUrl}${path}`;
}

function httpError(url: string, call: ServerCall<unknown>, status: number, text: string, retryAfter: string | null): ReplyError {
  const detail = serverMessage(text);
  const msg = `HTTP ${status} from ${url}${detail ? `: ${detail}` : ''}`;
  if (status === 429) return new ReplyError('rate-limit', msg, true, status, parseRetryAfter(retryAfter));
  if (status === 401 || status === 403) {
    return new ReplyError('http', `${msg} (check the API key: DREAMPRM_API_KEY or OPENAI_API_KEY)`, false, status);
  }
  const hint = call.hint?.(status) ?? (status === 404 ? `check --base-url: it should end where ${call.path} begins, e.g. .../v1` : null);
  return new ReplyError('http', hint ? `${msg} (${hint})` : msg, status >= 500 || status === 408, status);
}

function parseJson<R>(text: string, call: ServerCall<R>): Parsed<R> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ReplyError('malformed', `reply is not JSON: ${snippet(text)}`, true);
  }
  const err = serverMessage(text);
  const body = json as { error?: unknown; choices?: unknown; data?: unknown };
  if (err && body.choices === undefined && body.data === undefined) throw new ReplyError('http', `server error in reply: ${err}`, true);
  return call.parse(json, text);
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

export function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? `"${t.slice(0, 157)}..."` : `"${t}"`;
}

/** The reply checked against its schema; a mismatch is a malformed reply (retried), named by field. */
export function replyOf<T>(schema: z.ZodType<T>, json: unknown, text: string, what: string): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ReplyError('malformed', `malformed ${what}: ${issue.path.join('.') || '(reply)'} ${issue.message.toLowerCase()}: ${snippet(text)}`, true);
}
