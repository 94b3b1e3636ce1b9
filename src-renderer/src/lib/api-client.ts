/**
 * The renderer's one way to reach the studio. Inside Electron the preload provides
 * `window.dreamprm`; in a browser (`dreamprm serve`) calls go over HTTP and events over a
 * WebSocket, both carrying the token from the URL the server printed.
 */
import {
  IMAGE_HOST,
  IMAGE_SCHEME,
  type ApiMethod,
  type ApiResult,
  type ArgsOf,
  type DreamprmBridge,
  type ResultOf,
  type StudioClient,
  type StudioEvent,
  type Transport,
} from '../../../src-main/core/api/types';

declare global {
  interface Window {
    dreamprm?: DreamprmBridge;
  }
}

export class ApiCallError extends Error {
  constructor(
    readonly method: string,
    name: string,
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** A client whose methods are the API's, derived from its interface. */
export function createClient(transport: Transport): StudioClient {
  return new Proxy({} as StudioClient, {
    get(_target, prop) {
      if (typeof prop !== 'string') return undefined;
      const method = prop as ApiMethod;
      return async (args?: unknown) => {
        const result = (await transport.invoke(method, args as ArgsOf<typeof method>[0])) as ApiResult<unknown>;
        if (result.ok) return result.value;
        throw new ApiCallError(method, result.error.name, result.error.message);
      };
    },
  });
}

const TOKEN_KEY = 'dreamprm-token';

/**
 * The serve token: taken from `?token=` once, kept for the tab's session, and removed from the
 * address bar so it does not end up in screenshots or bookmarks.
 */
export function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export class HttpTransport implements Transport {
  private listeners = new Set<(event: StudioEvent) => void>();
  private socket: WebSocket | null = null;
  private retryMs = 500;
  private closed = false;

  constructor(
    private readonly base: string,
    readonly token: string,
  ) {}

  async invoke<M extends ApiMethod>(method: M, args: ArgsOf<M>[0]): Promise<ResultOf<M>> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ args }),
      });
    } catch (e) {
      return { ok: false, error: { name: 'NetworkError', message: `the studio server is unreachable (${String(e)})` } };
    }
    try {
      return (await res.json()) as ResultOf<M>;
    } catch {
      return { ok: false, error: { name: 'BadResponse', message: `HTTP ${res.status} without a JSON body` } };
    }
  }

  onEvent(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    this.ensureSocket();
    return () => this.listeners.delete(listener);
  }

  private ensureSocket(): void {
    if (this.socket || this.closed) return;
    const wsBase = this.base.replace(/^http/, 'ws');
    const socket = new WebSocket(`${wsBase}/events`, ['dreamprm', `token.${this.token}`]);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 500;
    };
    socket.onmessage = (msg) => {
      const event = JSON.parse(String(msg.data)) as StudioEvent;
      for (const l of this.listeners) l(event);
    };
    socket.onclose = () => {
      this.socket = null;
      if (this.closed) return;
      // The server may restart; reconnect with a growing pause.
      setTimeout(() => this.ensureSocket(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }
}

export interface Connection {
  kind: 'electron' | 'browser';
  client: StudioClient;
  onEvent(listener: (event: StudioEvent) => void): () => void;
  imageUrl(id: number, thumb?: boolean): string;
  /** desktop only */
  bridge: DreamprmBridge | null;
  /** false in a browser opened without the serve token: every call would be refused */
  authorised: boolean;
}

export function connect(): Connection {
  const bridge = window.dreamprm ?? null;
  if (bridge) {
    return {
      kind: 'electron',
      client: createClient(bridge),
      onEvent: (l) => bridge.onEvent(l),
      imageUrl: (id, thumb) => `${IMAGE_SCHEME}://${IMAGE_HOST}/${id}${thumb ? '?thumb=1' : ''}`,
      bridge,
      authorised: true,
    };
  }
  const token = takeToken();
  const transport = new HttpTransport(window.location.origin, token);
  return {
    kind: 'browser',
    client: createClient(transport),
    onEvent: (l) => transport.onEvent(l),
    imageUrl: (id, thumb) =>
      `/image/${id}?${thumb ? 'thumb=1&' : ''}token=${encodeURIComponent(token)}`,
    bridge: null,
    authorised: token !== '',
  };
}
