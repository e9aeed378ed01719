// Azure OpenAI. The openai package's own AzureOpenAI client calls the Azure fake the way it calls a real resource
// (the dated deployment path, api-version, the api-key header), which keeps the fake honest; then the openai SDK calls
// the proxy with azure/<deployment> models, its stream helpers included, and reads Azure's content-filter answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { AzureOpenAI } from 'openai';
import { startFakes } from './fakes.js';
import { startProxy } from './proxy.js';

const ANSWER = 'Hello from the fake vendor.';
const user = [{ role: 'user', content: 'Say hello' }];
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] } } }];

let fakes;
let proxy;

before(async () => {
  fakes = await startFakes();
  proxy = await startProxy(fakes.urls);
});

after(async () => {
  await proxy?.stop();
  await fakes?.stop();
});

const azure = () => new AzureOpenAI({
  endpoint: fakes.urls.azure.rootUrl, apiKey: fakes.urls.azure.apiKey, apiVersion: '2024-10-21', deployment: 'gpt-4o-mini', maxRetries: 0,
});
const viaProxy = () => new OpenAI({ apiKey: proxy.key, baseURL: `${proxy.url}/v1`, maxRetries: 0 });

test('the AzureOpenAI client parses the Azure fake\'s whole answer and its filter results', async () => {
  const completion = await azure().chat.completions.create({ model: 'gpt-4o-mini', messages: user });
  assert.equal(completion.choices[0].message.content, ANSWER);
  assert.equal(completion.prompt_filter_results[0].content_filter_results.violence.severity, 'safe');
  assert.equal(completion.choices[0].content_filter_results.violence.filtered, false);
});

test('the AzureOpenAI client streams from the Azure fake, its choiceless opening chunk included', async () => {
  const stream = azure().chat.completions.stream({ model: 'gpt-4o-mini', messages: user, stream_options: { include_usage: true } });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, ANSWER);
  assert.equal(final.usage.prompt_tokens, 11);
});

test('the AzureOpenAI client embeds with the Azure fake', async () => {
  const response = await azure().embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'] });
  assert.deepEqual(response.data.map((d) => d.index), [0, 1]);
});

test('the AzureOpenAI client reads the Azure fake\'s content-filter refusal', async () => {
  await assert.rejects(azure().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[violent prompt]' }] }),
    (e) => e.status === 400 && e.code === 'content_filter');
});

test('openai SDK chats with azure/<deployment> through the proxy, whole and with the stream helper', async () => {
  const whole = await viaProxy().chat.completions.create({ model: 'azure/gpt-4o-mini', messages: user });
  assert.equal(whole.choices[0].message.content, ANSWER);
  assert.equal(whole.choices[0].content_filter_results.hate.severity, 'safe');

  const chunks = [];
  const stream = viaProxy().chat.completions.stream({ model: 'azure/gpt-4o-mini', messages: user });
  stream.on('chunk', (chunk) => chunks.push(chunk));
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, ANSWER);
  assert.ok(chunks.slice(0, -1).every((c) => c.choices.length > 0), 'every chunk before the usage chunk has a choice');
  assert.equal(chunks[0].prompt_filter_results[0].content_filter_results.violence.severity, 'safe');
});

test('openai SDK assembles an azure tool call streamed through the proxy', async () => {
  const stream = viaProxy().chat.completions.stream({ model: 'azure/gpt-4o', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
  assert.equal(final.choices[0].message.tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(final.choices[0].message.tool_calls[0].function.arguments), { city: 'Paris', days: 2 });
});

test('openai SDK embeds with azure through the proxy', async () => {
  const response = await viaProxy().embeddings.create({ model: 'azure/text-embedding-3-small', input: ['one', 'two', 'three'] });
  assert.deepEqual(response.data.map((d) => d.index), [0, 1, 2]);
  assert.ok(response.usage.prompt_tokens > 0);
});

test('openai SDK reads the proxy\'s 400 content_filter for a prompt Azure refused', async () => {
  await assert.rejects(viaProxy().chat.completions.create({ model: 'azure/gpt-4o-mini', messages: [{ role: 'user', content: '[violent prompt]' }] }),
    (e) => e.status === 400 && e.type === 'content_filter' && /violence: medium/.test(e.message));
});
