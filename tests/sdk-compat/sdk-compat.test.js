// The vendors' official SDKs parse the fakes' answers, streamed and whole: if a fake drifted from the real wire
// format (framing, field names, event names), the SDK would fail here rather than the proxy fail in production.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { CohereClientV2 } from 'cohere-ai';
import { Mistral } from '@mistralai/mistralai';
import { startFakes } from './fakes.js';

const ANSWER = 'Hello from the fake vendor.';
let fakes;

before(async () => { fakes = await startFakes(); });
after(async () => { await fakes?.stop(); });

const user = [{ role: 'user', content: 'Say hello' }];

for (const vendor of ['openai', 'deepseek']) {
  const client = () => new OpenAI({ apiKey: fakes.urls[vendor].apiKey, baseURL: fakes.urls[vendor].baseUrl, maxRetries: 0 });
  const model = vendor === 'openai' ? 'gpt-4o-mini' : 'deepseek-chat';

  test(`openai SDK parses the ${vendor} fake's whole answer`, async () => {
    const completion = await client().chat.completions.create({ model, messages: user });
    assert.equal(completion.choices[0].message.content, ANSWER);
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.deepEqual([completion.usage.prompt_tokens, completion.usage.completion_tokens], [11, 7]);
    assert.equal(completion.usage.completion_tokens_details.reasoning_tokens, 3);
    if (vendor === 'openai') assert.equal(completion.usage.prompt_tokens_details.cached_tokens, 4);
    else assert.deepEqual([completion.usage.prompt_cache_hit_tokens, completion.usage.prompt_cache_miss_tokens], [4, 7]);
  });

  test(`openai SDK parses the ${vendor} fake's stream`, async () => {
    const stream = await client().chat.completions.create({ model, messages: user, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage;
    let finish;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason ?? undefined;
      usage ??= chunk.usage ?? undefined;
    }
    assert.equal(text, ANSWER);
    assert.equal(finish, 'stop');
    assert.deepEqual([usage.prompt_tokens, usage.completion_tokens], [11, 7]);
  });
}

test('deepseek fake streams reasoning_content the openai SDK passes on', async () => {
  const client = new OpenAI({ apiKey: fakes.urls.deepseek.apiKey, baseURL: fakes.urls.deepseek.baseUrl, maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'deepseek-reasoner', messages: user, stream: true });
  let reasoning = '';
  for await (const chunk of stream) reasoning += chunk.choices[0]?.delta?.reasoning_content ?? '';
  assert.equal(reasoning, 'Thinking it over.');
});

test('anthropic SDK parses the anthropic fake\'s whole answer', async () => {
  const client = new Anthropic({ apiKey: fakes.urls.anthropic.apiKey, baseURL: fakes.urls.anthropic.rootUrl, maxRetries: 0 });
  const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, system: 'Be brief.', messages: user });
  assert.equal(message.content[0].text, ANSWER);
  assert.equal(message.stop_reason, 'end_turn');
  // input_tokens leaves out the 4 tokens read from and the 2 written to the cache.
  assert.deepEqual([message.usage.input_tokens, message.usage.cache_read_input_tokens, message.usage.cache_creation_input_tokens, message.usage.output_tokens], [5, 4, 2, 7]);
});

test('anthropic SDK parses the anthropic fake\'s named-event stream', async () => {
  const client = new Anthropic({ apiKey: fakes.urls.anthropic.apiKey, baseURL: fakes.urls.anthropic.rootUrl, maxRetries: 0 });
  const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: user });
  const pieces = [];
  stream.on('text', (text) => pieces.push(text));
  const message = await stream.finalMessage();
  assert.equal(pieces.join(''), ANSWER);
  assert.ok(pieces.length >= 5, 'text arrives in pieces');
  assert.equal(message.content[0].text, ANSWER);
  assert.equal(message.stop_reason, 'end_turn');
  assert.deepEqual([message.usage.input_tokens, message.usage.cache_read_input_tokens, message.usage.cache_creation_input_tokens, message.usage.output_tokens], [5, 4, 2, 7]);
});

test('anthropic fake refuses what the real API refuses, and the SDK reads its error', async () => {
  const client = new Anthropic({ apiKey: fakes.urls.anthropic.apiKey, baseURL: fakes.urls.anthropic.rootUrl, maxRetries: 0 });
  await assert.rejects(
    client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'system', content: 'x' }, ...user] }),
    (e) => e.status === 400 && e.error?.error?.type === 'invalid_request_error');
});

const gemini = () => new GoogleGenAI({ apiKey: fakes.urls.gemini.apiKey, httpOptions: { baseUrl: fakes.urls.gemini.rootUrl } });

test('@google/genai parses the gemini fake\'s whole answer', async () => {
  const response = await gemini().models.generateContent({
    model: 'gemini-2.5-flash', contents: 'Say hello', config: { systemInstruction: 'Be brief.', temperature: 0.2, maxOutputTokens: 50 },
  });
  assert.equal(response.text, ANSWER);
  assert.equal(response.candidates[0].finishReason, 'STOP');
  // promptTokenCount includes the cached tokens; the 3 thinking tokens are counted apart from the candidates.
  const usage = response.usageMetadata;
  assert.deepEqual([usage.promptTokenCount, usage.cachedContentTokenCount, usage.candidatesTokenCount, usage.thoughtsTokenCount], [11, 4, 4, 3]);
});

test('@google/genai parses the gemini fake\'s data-only stream', async () => {
  const stream = await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Say hello' });
  let text = '';
  let last;
  for await (const chunk of stream) { text += chunk.text ?? ''; last = chunk; }
  assert.equal(text, ANSWER);
  assert.equal(last.candidates[0].finishReason, 'STOP');
  const usage = last.usageMetadata;
  assert.deepEqual([usage.promptTokenCount, usage.cachedContentTokenCount, usage.candidatesTokenCount, usage.thoughtsTokenCount], [11, 4, 4, 3]);
});

const cohere = () => new CohereClientV2({ token: fakes.urls.cohere.apiKey, environment: fakes.urls.cohere.rootUrl, maxRetries: 0 });

test('cohere-ai parses the cohere fake\'s whole answer', async () => {
  const response = await cohere().chat({ model: 'command-a-03-2025', messages: user });
  assert.equal(response.message.content[0].text, ANSWER);
  assert.equal(response.finishReason, 'COMPLETE');
  assert.deepEqual([response.usage.billedUnits.inputTokens, response.usage.billedUnits.outputTokens, response.usage.cachedTokens], [11, 7, 4]);
});

test('cohere-ai parses the cohere fake\'s named-event stream', async () => {
  const stream = await cohere().chatStream({ model: 'command-a-03-2025', messages: user });
  let text = '';
  let end;
  const types = [];
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'content-delta') text += event.delta.message.content.text;
    if (event.type === 'message-end') end = event;
  }
  assert.equal(text, ANSWER);
  assert.deepEqual([types[0], types.at(-1)], ['message-start', 'message-end']);
  assert.equal(end.delta.finishReason, 'COMPLETE');
  assert.deepEqual([end.delta.usage.billedUnits.inputTokens, end.delta.usage.billedUnits.outputTokens, end.delta.usage.cachedTokens], [11, 7, 4]);
});

const mistral = () => new Mistral({ apiKey: fakes.urls.mistral.apiKey, serverURL: fakes.urls.mistral.rootUrl });

test('@mistralai/mistralai parses the mistral fake\'s whole answer', async () => {
  const response = await mistral().chat.complete({ model: 'mistral-small-latest', messages: user, randomSeed: 7 });
  assert.equal(response.choices[0].message.content, ANSWER);
  assert.equal(response.choices[0].finishReason, 'stop');
  assert.deepEqual([response.usage.promptTokens, response.usage.completionTokens], [11, 7]);
});

test('@mistralai/mistralai parses the mistral fake\'s stream', async () => {
  const stream = await mistral().chat.stream({ model: 'mistral-small-latest', messages: user });
  let text = '';
  let usage;
  let finish;
  for await (const event of stream) {
    text += event.data.choices[0]?.delta?.content ?? '';
    finish ??= event.data.choices[0]?.finishReason ?? undefined;
    usage ??= event.data.usage ?? undefined;
  }
  assert.equal(text, ANSWER);
  assert.equal(finish, 'stop');
  assert.deepEqual([usage.promptTokens, usage.completionTokens], [11, 7]);
});
