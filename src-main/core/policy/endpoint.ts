import { UserError } from '../errors';

/** Where the policy model is served: any OpenAI-compatible chat endpoint. */
export interface Endpoint {
  /** e.g. http://127.0.0.1:8000/v1 (vLLM), http://localhost:11434/v1 (Ollama) */
  baseUrl: string;
  model: string;
  /** null for local servers that need none */
  apiKey: string | null;
}

export interface EndpointOptions {
  baseUrl?: string;
  model?: string;
  /** from the app's settings; else DREAMPRM_API_KEY, else OPENAI_API_KEY */
  apiKey?: string;
}

/** The model server this process's environment names, if any. */
export function environmentBaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return (env.DREAMPRM_BASE_URL || env.OPENAI_BASE_URL || '').trim() || undefined;
}

/** Fills the endpoint from options, then the environment; says what is missing and how to give it. */
export function resolveEndpoint(opts: EndpointOptions, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const baseUrl = (opts.baseUrl ?? environmentBaseUrl(env) ?? '').trim();
  const model = (opts.model ?? env.DREAMPRM_MODEL ?? '').trim();
  if (!baseUrl) {
    throw new UserError(
      'no model server given: pass --base-url (e.g. http://127.0.0.1:8000/v1) or set DREAMPRM_BASE_URL',
    );
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UserError(`--base-url "${baseUrl}" is not a URL: write it like http://127.0.0.1:8000/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`--base-url "${baseUrl}" must start with http:// or https://`);
  }
  if (!model) throw new UserError('no model given: pass --model NAME (as the server lists it under /models) or set DREAMPRM_MODEL');
  const apiKey = opts.apiKey || env.DREAMPRM_API_KEY || env.OPENAI_API_KEY || null;
  return { baseUrl: baseUrl.replace(/\/+$/, ''), model, apiKey };
}

/** The endpoint as it may be stored or shown: never the key itself. */
export function describeEndpoint(e: Endpoint): { baseUrl: string; model: string; apiKey: boolean } {
  return { baseUrl: e.baseUrl, model: e.model, apiKey: e.apiKey != null };
}
