import { z } from 'zod';
import type { Endpoint } from './endpoint';
import {
  createServerClient,
  ReplyError,
  replyOf,
  snippet,
  type Parsed,
  type ServerCall,
  type ServerClient,
  type ServerClientOptions,
  type ServerErrorKind,
  type ServerOutcome,
} from './server-client';

export { parseRetryAfter } from './server-client';
export type { RetryInfo } from './server-client';

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
  /** alternatives (with their log-probabilities) wanted for each generated token */
  topLogprobs?: number;
}

/** One alternative for a generated token, as the server ranks them. */
export interface TokenLogprob {
  token: string;
  logprob: number;
}

export interface ChatReply {
  texts: string[];
  finishReasons: (string | null)[];
  promptTokens: number;
  completionTokens: number;
  /** with topLogprobs: for the first choice, the alternatives at each generated token */
  topLogprobs?: TokenLogprob[][];
}

export type ChatErrorKind = ServerErrorKind;
export type ChatOutcome = ServerOutcome<ChatReply>;
export type ChatClientOptions = ServerClientOptions;

/** A server client that also speaks chat completions (generate, label and the generative PRM). */
export interface ChatClient extends ServerClient {
  complete(req: ChatRequest, signal?: AbortSignal): Promise<ChatOutcome>;
}

const contentPart = z.object({ type: z.string(), text: z.string().optional() });
const logprobEntry = z.object({ token: z.string(), logprob: z.number() });
const replySchema = z.object({
  choices: z.array(
    z.object({
      index: z.number().optional(),
      message: z.object({ content: z.union([z.string(), z.array(contentPart), z.null()]).optional() }).optional(),
      finish_reason: z.string().nullable().optional(),
      logprobs: z
        .object({ content: z.array(z.object({ top_logprobs: z.array(logprobEntry).optional() })).nullable().optional() })
        .nullable()
        .optional(),
    }),
  ),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
    .nullable()
    .optional(),
});

/** The `POST {baseUrl}/chat/completions` call of one request. */
export function chatCall(model: string, req: ChatRequest): ServerCall<ChatReply> {
  const n = req.n ?? 1;
  return {
    path: '/chat/completions',
    body: {
      model,
      messages: req.messages,
      n,
      ...(req.temperature !== undefined && { temperature: req.temperature }),
      ...(req.maxTokens !== undefined && { max_tokens: req.maxTokens }),
      ...(req.topLogprobs !== undefined && { logprobs: true, top_logprobs: req.topLogprobs }),
    },
    parse: (json, text) => parseReply(json, text, n, req.topLogprobs !== undefined),
  };
}

export function createChatClient(endpoint: Endpoint, opts: ChatClientOptions = {}): ChatClient {
  const client = createServerClient(endpoint, opts);
  return {
    ...client,
    async complete(req, signal) {
      const out = await client.send(chatCall(endpoint.model, req), signal);
      return out.ok ? { ok: true, reply: out.reply.value, attempts: out.attempts } : out;
    },
  };
}

function parseReply(json: unknown, text: string, n: number, withLogprobs: boolean): Parsed<ChatReply> {
  const data = replyOf(replySchema, json, text, 'reply');
  const choices = [...data.choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  if (!choices.length) throw new ReplyError('malformed', `malformed reply: no choices: ${snippet(text)}`, true);
  const texts = choices.map((c, i) => {
    const content = c.message?.content;
    const s = typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => p.text ?? '').join('') : '';
    if (!s.trim()) throw new ReplyError('malformed', `malformed reply: choice ${i} has no text content (finish_reason ${c.finish_reason ?? 'none'})`, true);
    return s;
  });
  if (texts.length < n) {
    // A server that ignores `n` (Ollama, llama.cpp) answers with one choice every time.
    throw new ReplyError(
      'incomplete',
      `asked for ${n} completions, the server returned ${texts.length}: it may not support "n"; use --per-request 1`,
      false,
    );
  }
  const reply: ChatReply = {
    texts: texts.slice(0, n),
    finishReasons: choices.slice(0, n).map((c) => c.finish_reason ?? null),
    promptTokens: data.usage?.prompt_tokens ?? 0,
    completionTokens: data.usage?.completion_tokens ?? 0,
  };
  if (withLogprobs) {
    const content = choices[0].logprobs?.content;
    // Asking again will not make a server that ignores `logprobs` start sending them.
    if (!content?.length) throw new ReplyError('incomplete', 'the reply has no logprobs: the server must support "logprobs" and "top_logprobs" (vLLM does)', false);
    reply.topLogprobs = content.map((t) => t.top_logprobs ?? []);
  }
  return { value: reply, promptTokens: reply.promptTokens, completionTokens: reply.completionTokens };
}
