import { describe, expect, it, vi } from 'vitest';
import { classify, EnhanceError, parseRetryAfter, streamCompletion } from '../../src/proxy-client';
import { chunkFrame, errorResponse, sseAnswer, streamResponse } from './helpers';

function run(response: Response | Promise<Response>, extra: { apiKey?: string; endUserToken?: string; signal?: AbortSignal } = {}) {
  const deltas: string[] = [];
  const fetch = vi.fn(async () => response);
  const promise = streamCompletion({
    endpoint: 'https://proxy.test/api/llm-proxy',
    body: { provider: 'mock' },
    signal: extra.signal ?? new AbortController().signal,
    apiKey: extra.apiKey,
    endUserToken: extra.endUserToken,
    onDelta: (d) => deltas.push(d),
    fetch: fetch as unknown as typeof globalThis.fetch,
  });
  return { promise, deltas, fetch };
}

async function failure(promise: Promise<unknown>): Promise<EnhanceError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EnhanceError);
  return error as EnhanceError;
}

describe('streamCompletion', () => {
  it('hands each delta on in order and resolves with the whole text', async () => {
    const { promise, deltas } = run(streamResponse(sseAnswer(['Hola ', 'mundo', '.'])));
    expect(await promise).toBe('Hola mundo.');
    expect(deltas).toEqual(['Hola ', 'mundo', '.']);
  });

  it('posts JSON without credentials, and a Bearer key only when given one', async () => {
    const withKey = run(streamResponse(sseAnswer(['x'])), { apiKey: 'pk_test_123' });
    await withKey.promise;
    const [url, init] = withKey.fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('https://proxy.test/api/llm-proxy');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('omit');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer pk_test_123');
    expect(JSON.parse(init.body as string)).toEqual({ provider: 'mock' });

    const without = run(streamResponse(sseAnswer(['x'])));
    await without.promise;
    expect(((without.fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it('sends an end-user token as the bearer when alone, and in X-End-User-Token beside a key', async () => {
    const alone = run(streamResponse(sseAnswer(['x'])), { endUserToken: 'lp-ut-a.b.c' });
    await alone.promise;
    const aloneHeaders = (alone.fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers as Record<string, string>;
    expect(aloneHeaders.Authorization).toBe('Bearer lp-ut-a.b.c');
    expect(aloneHeaders['X-End-User-Token']).toBeUndefined();

    const beside = run(streamResponse(sseAnswer(['x'])), { apiKey: 'lp-pk-key', endUserToken: 'lp-ut-a.b.c' });
    await beside.promise;
    const besideHeaders = (beside.fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers as Record<string, string>;
    expect(besideHeaders.Authorization).toBe('Bearer lp-pk-key');
    expect(besideHeaders['X-End-User-Token']).toBe('lp-ut-a.b.c');
  });

  it('classifies a quota refusal', async () => {
    const error = await failure(run(errorResponse(429, 'insufficient_quota', 'Quota used up', { 'x-should-retry': 'false' })).promise);
    expect(error.kind).toBe('quota');
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  it('classifies a rate limit and reads its Retry-After', async () => {
    const error = await failure(run(errorResponse(429, 'rate_limit_exceeded', 'Slow down', { 'Retry-After': '17' })).promise);
    expect(error.kind).toBe('rate');
    expect(error.retryAfterSeconds).toBe(17);
  });

  it('turns a failed fetch into a network error', async () => {
    const error = await failure(run(Promise.reject(new TypeError('Failed to fetch'))).promise);
    expect(error.kind).toBe('network');
  });

  it('ends with a vendor error when the stream carries an error frame after some text', async () => {
    const frames = [chunkFrame('partial '), 'data: {"error":{"type":"provider_error","message":"upstream broke","provider":"openai","status":502}}\n\n'];
    const { promise, deltas } = run(streamResponse(frames));
    const error = await failure(promise);
    expect(error.kind).toBe('vendor');
    expect(error.message).toBe('upstream broke');
    expect(deltas).toEqual(['partial ']);
  });

  it('rejects with the abort, not an EnhanceError, when cancelled', async () => {
    const controller = new AbortController();
    const fetch = (_: string, init: RequestInit) =>
      new Promise<Response>((_, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const promise = streamCompletion({
      endpoint: 'x', body: {}, signal: controller.signal, onDelta: () => undefined, fetch: fetch as unknown as typeof globalThis.fetch,
    });
    controller.abort();
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('error helpers', () => {
  it('maps statuses and types to kinds', () => {
    expect(classify(401, 'authentication_error')).toBe('unauthorized');
    expect(classify(400, 'invalid_request_error')).toBe('invalid');
    expect(classify(429, 'provider_rate_limited')).toBe('rate');
    expect(classify(502, 'provider_error')).toBe('vendor');
    expect(classify(400, 'provider_error')).toBe('vendor');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('42')).toBe(42);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 0)).toBe(61);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
