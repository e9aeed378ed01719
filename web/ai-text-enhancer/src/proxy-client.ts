import { readSseData } from './sse';

export type ErrorKind = 'quota' | 'rate' | 'network' | 'vendor' | 'unauthorized' | 'invalid';

/** A refused or failed call, classified for the user's message. `type` and `status` are the proxy's unified error fields. */
export class EnhanceError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly type: string,
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'EnhanceError';
  }
}

interface UnifiedError {
  error?: { type?: string; message?: string; status?: number };
}

interface ChunkFrame extends UnifiedError {
  choices?: { delta?: { content?: string | null } }[];
}

export interface StreamOptions {
  endpoint: string;
  apiKey?: string;
  /** An end-user token: beside `apiKey` in `X-End-User-Token`, or alone as the bearer. */
  endUserToken?: string;
  body: unknown;
  signal: AbortSignal;
  onDelta: (delta: string) => void;
  fetch?: typeof fetch;
}

export function classify(status: number, type: string | undefined): ErrorKind {
  if (type === 'insufficient_quota' || type === 'quota_exceeded') return 'quota';
  if (status === 429 || type === 'rate_limit_exceeded' || type === 'provider_rate_limited') return 'rate';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status >= 400 && status < 500 && !type?.startsWith('provider_')) return 'invalid';
  return 'vendor';
}

export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function errorFrom(body: UnifiedError | undefined, status: number, retryAfter?: number): EnhanceError {
  const type = body?.error?.type ?? 'http_error';
  const code = body?.error?.status ?? status;
  return new EnhanceError(classify(code, type), body?.error?.message ?? `HTTP ${status}`, type, code, retryAfter);
}

/**
 * Posts a streaming chat call and hands each text delta to `onDelta`; resolves with the whole text.
 * Aborting `signal` closes the connection, which makes the proxy cancel the vendor call; the promise then
 * rejects with the abort's `DOMException`.
 */
export async function streamCompletion(options: StreamOptions): Promise<string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'text/event-stream' };
  if (options.apiKey) {
    headers.Authorization = `Bearer ${options.apiKey}`;
    if (options.endUserToken) headers['X-End-User-Token'] = options.endUserToken;
  } else if (options.endUserToken) {
    headers.Authorization = `Bearer ${options.endUserToken}`;
  }
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(options.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'omit',
    });
  } catch (e) {
    throw options.signal.aborted ? e : new EnhanceError('network', String(e), 'network_error', 0);
  }

  if (!response.ok || !response.body) {
    let body: UnifiedError | undefined;
    try {
      body = (await response.json()) as UnifiedError;
    } catch {
      body = undefined;
    }
    throw errorFrom(body, response.status, parseRetryAfter(response.headers.get('Retry-After')));
  }

  let text = '';
  try {
    for await (const data of readSseData(response.body)) {
      if (data === '[DONE]') break;
      const frame = JSON.parse(data) as ChunkFrame;
      if (frame.error) throw errorFrom(frame, frame.error.status ?? 502);
      const delta = frame.choices?.[0]?.delta?.content;
      if (delta) {
        text += delta;
        options.onDelta(delta);
      }
    }
  } catch (e) {
    if (e instanceof EnhanceError || options.signal.aborted) throw e;
    throw new EnhanceError('network', String(e), 'network_error', 0);
  }
  return text;
}
