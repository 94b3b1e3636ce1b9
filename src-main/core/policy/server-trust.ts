/**
 * Where a model-server job's requests, and with them the API key, may go. A job keeps its
 * base URL in the database, and a database can come from someone else: whoever hands a user a
 * studio.db with a job pointing at their own server would collect the user's key on resume.
 * So a stored URL is never enough on its own. Requests go only to a server named in this
 * process: the --base-url flag, DREAMPRM_BASE_URL / OPENAI_BASE_URL, a URL set in the app in
 * this process, or a stored URL the user confirmed in this process. This is the one place
 * that rule lives; the CLI and the app both ask `chooseServer`.
 */
import { UserError } from '../errors';
import { hostOf } from '../url-host';
import { environmentBaseUrl } from './endpoint';

/** A job's stored server was not named in this process; the app asks the user to confirm it. */
export class UntrustedServerError extends UserError {
  override name = 'UntrustedServerError';
  constructor(
    message: string,
    readonly baseUrl: string,
  ) {
    super(message);
  }
}

/** One spelling per server: host case, default ports and trailing slashes do not make another. */
export function canonicalBaseUrl(url: string): string {
  const text = url.trim();
  try {
    return new URL(text).href.replace(/\/+$/, '');
  } catch {
    return text.replace(/\/+$/, '');
  }
}

export function sameServer(a: string, b: string): boolean {
  return canonicalBaseUrl(a) === canonicalBaseUrl(b);
}

/** The servers this process may send requests to; it starts with the environment's. */
export class TrustedServers {
  private readonly urls = new Set<string>();

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const fromEnv = environmentBaseUrl(env);
    if (fromEnv) this.add(fromEnv);
  }

  add(url: string): void {
    this.urls.add(canonicalBaseUrl(url));
  }

  has(url: string): boolean {
    return this.urls.has(canonicalBaseUrl(url));
  }
}

export interface ServerChoiceInput {
  /** the server named for this run (the CLI: --base-url, else the environment); wins over the stored one */
  current?: string;
  /** servers named earlier in this process (the app) */
  trusted?: TrustedServers;
  /** the stored URL repeated by the user: consent to use it (remembered in `trusted`) */
  consent?: string;
  /** how to consent, for the refusal: it differs between the CLI and the app */
  consentHint: string;
}

export interface ServerChoice {
  baseUrl: string;
  /** the job's stored URL when the current one replaced it, so the caller can say so */
  replaced: string | null;
}

/** The server a stored job may use now, or an error naming the stored host and how to consent. */
export function chooseServer(jobId: number, stored: string, input: ServerChoiceInput): ServerChoice {
  if (input.current?.trim()) {
    const current = input.current.trim();
    return { baseUrl: current, replaced: sameServer(current, stored) ? null : stored };
  }
  if (input.trusted?.has(stored)) return { baseUrl: stored, replaced: null };
  if (input.consent !== undefined) {
    if (!sameServer(input.consent, stored)) {
      throw new UserError(
        `the confirmed server ${input.consent} is not job ${jobId}'s server (${stored}): confirm the job's own server, or plan a new job against yours`,
      );
    }
    input.trusted?.add(stored);
    return { baseUrl: stored, replaced: null };
  }
  throw new UntrustedServerError(untrustedMessage(jobId, stored, input.consentHint), stored);
}

/** The refusal of a stored server, with how to consent (the CLI says it in its own flags). */
export function untrustedMessage(jobId: number, stored: string, consentHint: string): string {
  return (
    `job ${jobId} was planned against ${stored} (host ${hostOf(stored)}), a server not named in this process. ` +
    `Requests, and the API key, go only to a server you name, because a database may come from someone else. ${consentHint}`
  );
}
