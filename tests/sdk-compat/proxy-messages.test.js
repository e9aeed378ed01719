// The official @anthropic-ai/sdk against the proxy's Anthropic-compatible door (POST /v1/messages): a Claude model
// passed through to the Anthropic fake, and an OpenAI model translated both ways; create, stream().finalMessage(),
// tool use and its result, an error, and models.list().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFakes } from './fakes.js';
import { startProxy } from './proxy.js';

const ANSWER = 'Hello from the fake vendor.';
const tools = [{ name: 'get_weather', description: 'Weather for a city', input_schema: {
  type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] } }];
const question = [{ role: 'user', content: 'Weather in Paris for two days?' }];

let fakes;
let proxy;
before(async () => { fakes = await startFakes(); proxy = await startProxy(fakes.urls); });
after(async () => { await proxy?.stop(); await fakes?.stop(); });

/** Anthropic's input_tokens leave out the tokens read from and written to the cache; together they are the prompt. */
const prompt = (usage) => usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);

const client = () => new Anthropic({ apiKey: proxy.key, baseURL: proxy.url, maxRetries: 0 });

for (const model of ['anthropic/claude-haiku-4-5', 'claude-haiku-4-5', 'openai/gpt-4o-mini']) {
  test(`${model}: messages.create and messages.stream().finalMessage()`, async () => {
    const message = await client().messages.create({ model, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Say hello' }] });
    assert.equal(message.type, 'message');
    assert.equal(message.content[0].text, ANSWER);
    assert.equal(message.stop_reason, 'end_turn');
    assert.deepEqual([prompt(message.usage), message.usage.output_tokens], [11, 7]);

    const stream = client().messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Say hello' }] });
    const pieces = [];
    stream.on('text', (text) => pieces.push(text));
    const streamed = await stream.finalMessage();
    assert.equal(pieces.join(''), ANSWER);
    assert.equal(streamed.content.at(-1).text, ANSWER);
    assert.equal(streamed.stop_reason, 'end_turn');
    assert.deepEqual([prompt(streamed.usage), streamed.usage.output_tokens], [11, 7]);
  });

  test(`${model}: tool use, streamed, then the tool result`, async () => {
    const stream = client().messages.stream({ model, max_tokens: 200, tools, messages: question });
    const message = await stream.finalMessage();
    assert.equal(message.stop_reason, 'tool_use');
    const use = message.content.find((b) => b.type === 'tool_use');
    assert.ok(use.id);
    assert.deepEqual([use.name, use.input], ['get_weather', { city: 'Paris', days: 2 }]);

    const answer = await client().messages.create({
      model, max_tokens: 200, tools,
      messages: [...question, { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '18 C and sunny' }] }],
    });
    assert.equal(answer.content[0].text, ANSWER);
    assert.equal(answer.stop_reason, 'end_turn');
  });
}

test('an error reaches the SDK in Anthropic\'s shape', async () => {
  await assert.rejects(
    client().messages.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    (e) => e instanceof Anthropic.BadRequestError && e.error?.type === 'error' && e.error?.error?.type === 'invalid_request_error');
  await assert.rejects(
    new Anthropic({ apiKey: 'not-a-key', baseURL: proxy.url, maxRetries: 0 }).messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    (e) => e instanceof Anthropic.AuthenticationError && e.error?.error?.type === 'authentication_error');
});

test('models.list() reads the proxy\'s model list', async () => {
  const ids = [];
  for await (const model of client().models.list()) ids.push(model.id);
  assert.ok(ids.includes('anthropic/claude-haiku-4-5'), ids.join(', '));
});
