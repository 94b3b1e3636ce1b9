import { z } from 'zod';
import { userMessage } from './messages';
import { ReplyError, replyOf, type Parsed, type ServerCall } from './server-client';

/**
 * `POST {baseUrl}/embeddings`, the OpenAI shape every embedding server speaks (vLLM, Ollama,
 * text-embeddings-inference, hosted APIs). Text goes as `input` (a list: several steps per
 * request); text with images goes as chat-style `messages` (vLLM's multimodal embedding
 * models, e.g. VLM2Vec or GME), one input per request, because that is what the API takes.
 */
export interface EmbedRequest {
  texts: string[];
  /** data: URLs sent with the one text; null for a text-only request */
  images: string[] | null;
  /** ask for vectors of this length (the `dimensions` parameter) */
  dimensions: number | null;
}

const embedding = z.union([z.array(z.number()), z.string()]);
const replySchema = z.object({
  data: z.array(z.object({ index: z.number().int().optional(), embedding })),
  usage: z.object({ prompt_tokens: z.number().optional() }).nullable().optional(),
});

export function embeddingsCall(model: string, req: EmbedRequest): ServerCall<Float32Array[]> {
  const input = req.images === null ? { input: req.texts } : { messages: [userMessage(req.texts[0], req.images)] };
  return {
    path: '/embeddings',
    body: { model, ...input, encoding_format: 'float', ...(req.dimensions !== null && { dimensions: req.dimensions }) },
    parse: (json, text) => parseEmbeddings(json, text, req.texts.length),
    hint: (status) =>
      req.images !== null && (status === 400 || status === 422)
        ? 'a text-only embedding server (Ollama, TEI, a text model on vLLM) refuses chat-style input with images: plan the job with --text-only'
        : status === 404
          ? 'check --base-url: it should end where /embeddings begins, e.g. .../v1; vLLM serves embeddings only for a model started with --task embed (or --runner pooling)'
          : null,
  };
}

/** The vectors of a reply, in input order; every one finite and of one length. */
export function parseEmbeddings(json: unknown, text: string, expected: number): Parsed<Float32Array[]> {
  const reply = replyOf(replySchema, json, text, 'embeddings reply');
  const items = [...reply.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  if (items.length !== expected) {
    throw new ReplyError('incomplete', `asked for ${expected} vectors, the server returned ${items.length}`, false);
  }
  const vectors = items.map((it, i) => toVector(it.embedding, i));
  const dim = vectors[0].length;
  const odd = vectors.findIndex((v) => v.length !== dim);
  if (odd >= 0) throw new ReplyError('malformed', `vectors of one reply differ in length: ${dim} (vector 0) and ${vectors[odd].length} (vector ${odd})`, true);
  return { value: vectors, promptTokens: reply.usage?.prompt_tokens ?? 0, completionTokens: 0 };
}

function toVector(e: number[] | string, i: number): Float32Array {
  // Some servers answer base64 (little-endian float32) whatever encoding_format says.
  const v = typeof e === 'string' ? base64Floats(e, i) : Float32Array.from(e);
  if (!v.length) throw new ReplyError('malformed', `vector ${i} is empty`, true);
  if (v.some((x) => !Number.isFinite(x))) throw new ReplyError('malformed', `vector ${i} has a value that is not a finite number`, true);
  return v;
}

function base64Floats(s: string, i: number): Float32Array {
  const bytes = Buffer.from(s, 'base64');
  if (bytes.length % 4 !== 0) throw new ReplyError('malformed', `vector ${i} is base64 of ${bytes.length} bytes, not whole float32 values`, true);
  const out = new Float32Array(bytes.length / 4);
  for (let k = 0; k < out.length; k++) out[k] = bytes.readFloatLE(k * 4);
  return out;
}
