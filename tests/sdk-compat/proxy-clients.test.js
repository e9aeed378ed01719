// The clients people point at the proxy, run against the live proxy host as a user runs them: the `openai` SDK and
// Vercel's `ai` with `@ai-sdk/openai`, default settings, base URL `/v1`, a tenant key. The built-in mock vendor
// answers for the vendors (no vendor key is configured).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { generateText, streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { startProxy, countingFetch } from './proxy.js';

let proxy;

before(async () => { proxy = await startProxy({}, { LlmProxy__MockUnconfiguredProviders: 'true' }); });
after(async () => { await proxy?.stop(); });

const openai = (fetch = globalThis.fetch) => new OpenAI({ apiKey: proxy.key, baseURL: `${proxy.url}/v1`, fetch });
const aiOpenAI = (fetch = globalThis.fetch) => createOpenAI({ apiKey: proxy.key, baseURL: `${proxy.url}/v1`, fetch });
const hello = [{ role: 'user', content: 'Say hello' }];

async function exhaustQuotaOf(user) {
  const response = await fetch(`${proxy.url}/api/admin/quotas?tenantId=sdk&userId=${user}`,
    { method: 'PUT', headers: { 'X-Admin-Key': proxy.adminKey, 'content-type': 'application/json' }, body: '{"tokenLimit":5}' });
  assert.equal(response.status, 200);
}

test('openai SDK: a quota refusal fails at once with insufficient_quota (x-should-retry: false, no Retry-After)', async () => {
  await exhaustQuotaOf('ana');
  const counted = countingFetch();
  await assert.rejects(openai(counted).chat.completions.create({ model: 'mock/echo', user: 'ana', messages: hello }), (e) => {
    assert.equal(e.status, 429);
    assert.equal(e.code, 'insufficient_quota');
    assert.equal(e.type, 'insufficient_quota');
    assert.equal(e.headers.get('x-should-retry'), 'false');
    assert.equal(e.headers.get('retry-after'), null);
    assert.ok(Number(e.headers.get('x-quota-reset')) > Date.now() / 1000, 'the period end is in X-Quota-Reset');
    return true;
  });
  assert.equal(counted.count, 1, 'the SDK did not retry a refusal that cannot succeed');
});

test('ai SDK: a quota refusal surfaces as the 429 insufficient_quota error', async () => {
  await exhaustQuotaOf('bea');
  const counted = countingFetch();
  await assert.rejects(generateText({ model: aiOpenAI(counted).chat('mock/echo'), prompt: 'Say hello', providerOptions: { openai: { user: 'bea' } } }), (e) => {
    const last = e.lastError ?? e;
    assert.equal(last.statusCode, 429);
    assert.equal(JSON.parse(last.responseBody).error.code, 'insufficient_quota');
    return true;
  });
  // The ai SDK retries every 429 twice after its own backoff (it reads no x-should-retry); no Retry-After made it wait longer.
  assert.equal(counted.count, 3);
});

test('openai SDK: an unknown route is a 404 that names the method and the path', async () => {
  await assert.rejects(openai().get('/nope'), (e) => {
    assert.equal(e.status, 404);
    assert.equal(e.code, 'unknown_route');
    assert.match(e.message, /GET \/v1\/nope/);
    return true;
  });
  await assert.rejects(openai().post('/models'), (e) => e.status === 405 && /does not take POST/.test(e.message));
});

test('openai SDK: models.retrieve finds a provider/model id, with a real creation time', async () => {
  const model = await openai().models.retrieve('mock/echo');
  assert.equal(model.id, 'mock/echo');
  assert.ok(model.created > Date.UTC(2020, 0, 1) / 1000, `created ${model.created}`);
  const ids = [];
  for await (const listed of openai().models.list()) ids.push(listed.id);
  assert.ok(ids.includes('mock/echo') && ids.includes('openai/gpt-4o-mini'));
  await assert.rejects(openai().models.retrieve('nope/nothing'), (e) => e.status === 404 && e.code === 'model_not_found');
});

test('openai and ai SDKs: a bare model name works and the answer names it as asked', async () => {
  const completion = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: hello });
  assert.equal(completion.model, 'gpt-4o-mini');
  assert.match(completion.choices[0].message.content, /Say hello/);

  const prefixed = await openai().chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hello }).withResponse();
  assert.equal(prefixed.data.model, 'openai/gpt-4o-mini');
  assert.equal(prefixed.response.headers.get('x-llmproxy-model'), 'gpt-4o-mini');

  const { text, response } = await generateText({ model: aiOpenAI().chat('gpt-4o-mini'), prompt: 'Say hello' });
  assert.match(text, /Say hello/);
  assert.equal(response.modelId, 'gpt-4o-mini');
});

test('openai SDK: errors carry OpenAI\'s type, code and param', async () => {
  await assert.rejects(openai().chat.completions.create({ model: 'foo/bar', messages: hello }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.param, 'model');
    assert.equal(e.type, 'invalid_request_error');
    assert.ok(e.code);
    assert.match(e.message, /openai\/gpt-4o-mini/);
    return true;
  });
  await assert.rejects(openai().chat.completions.create({ model: 'mock/echo', messages: [{ role: 'robot', content: "it's" }] }),
    (e) => e.status === 400 && e.param === 'messages[0].role' && /got 'robot'/.test(e.message));
});

test('openai SDK: request_id is the proxy\'s x-request-id', async () => {
  const completion = await openai().chat.completions.create({ model: 'mock/echo', messages: hello });
  assert.match(completion._request_id, /^[0-9a-f]{32}$/);
  await assert.rejects(openai().chat.completions.create({ model: 'foo/bar', messages: hello }), (e) => /^[0-9a-f]{32}$/.test(e.requestID));
});

test('openai SDK: a stream sends the usage chunk only when asked', async () => {
  const chunksOf = async (extra) => {
    const chunks = [];
    for await (const chunk of await openai().chat.completions.create({ model: 'mock/echo', messages: hello, stream: true, cache: false, ...extra })) chunks.push(chunk);
    return chunks;
  };
  const unasked = await chunksOf({});
  assert.ok(unasked.every((c) => c.choices.length > 0 && c.usage == null), 'no usage chunk unasked');
  assert.equal(unasked.map((c) => c.choices[0].delta.content ?? '').join(''), 'Say hello');
  const asked = await chunksOf({ stream_options: { include_usage: true } });
  const usage = asked.filter((c) => c.usage);
  assert.equal(usage.length, 1);
  assert.equal(usage[0].choices.length, 0);
  assert.ok(usage[0].usage.total_tokens > 0);
});

test('ai SDK: streamText streams the answer and reports usage', async () => {
  const result = streamText({ model: aiOpenAI().chat('mock/echo'), prompt: 'Say hello' });
  let text = '';
  for await (const piece of result.textStream) text += piece;
  assert.equal(text, 'Say hello');
  const usage = await result.usage;
  assert.ok(usage.outputTokens > 0, JSON.stringify(usage));
});
