// The official openai SDK against the proxy, for every vendor behind it (each a fake speaking the vendor's wire
// format) and through both front doors: a tool call whole, the same call streamed and assembled by the SDK's stream
// helper, then the turn that sends the result back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakes } from './fakes.js';
import { startProxy } from './proxy.js';

const MODELS = {
  openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5', gemini: 'gemini-2.5-flash', cohere: 'command-a-03-2025',
  mistral: 'mistral-small-latest', deepseek: 'deepseek-chat',
};
const ARGUMENTS = { city: 'Paris', days: 2 };
const ANSWER = 'Hello from the fake vendor.';
const tools = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: {
    type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] } } },
];
const question = [{ role: 'user', content: 'Weather in Paris for two days?' }];

let fakes;
let proxy;
before(async () => { fakes = await startFakes(); proxy = await startProxy(fakes.urls); });
after(async () => { await proxy?.stop(); await fakes?.stop(); });

/** The seed door takes `provider` and `model` apart: the SDK's own requests are rewritten on their way to it. */
const seedDoor = (url, init) => {
  const target = new URL(url);
  if (!target.pathname.endsWith('/chat/completions')) return fetch(url, init);
  const body = JSON.parse(init.body);
  const [provider, ...model] = body.model.split('/');
  target.pathname = '/api/llm-proxy';
  return fetch(target, { ...init, body: JSON.stringify({ ...body, provider, model: model.join('/') }) });
};

const DOORS = { '/v1/chat/completions': undefined, '/api/llm-proxy': seedDoor };

const client = (door) => new OpenAI({ apiKey: proxy.key, baseURL: `${proxy.url}/v1`, maxRetries: 0, fetch: DOORS[door] });

for (const vendor of Object.keys(MODELS)) {
  for (const door of Object.keys(DOORS)) {
    const model = `${vendor}/${MODELS[vendor]}`;

    test(`${vendor} through ${door}: a tool call whole, streamed (SDK stream helper), then its result`, async () => {
      const whole = await client(door).chat.completions.create({ model, messages: question, tools });
      assert.equal(whole.choices[0].finish_reason, 'tool_calls');
      const wholeCall = whole.choices[0].message.tool_calls[0];
      assert.equal(wholeCall.type, 'function');
      assert.deepEqual([wholeCall.function.name, JSON.parse(wholeCall.function.arguments)], ['get_weather', ARGUMENTS]);

      const stream = client(door).chat.completions.stream({ model, messages: question, tools, stream_options: { include_usage: true } });
      const deltas = [];
      stream.on('tool_calls.function.arguments.delta', (event) => deltas.push(event.arguments_delta));
      const streamed = await stream.finalChatCompletion();
      assert.equal(streamed.choices[0].finish_reason, 'tool_calls');
      const call = streamed.choices[0].message.tool_calls[0];
      assert.ok(call.id, 'the assembled call has its id');
      // The fakes answer the same call whole and streamed; the ids agree (for Gemini, ids the proxy derives from the answer).
      assert.equal(call.id, wholeCall.id);
      assert.deepEqual([call.type, call.function.name, JSON.parse(call.function.arguments)], ['function', 'get_weather', ARGUMENTS]);
      assert.ok(deltas.length >= 1, 'argument pieces arrive as deltas');
      assert.ok(streamed.usage.prompt_tokens > 0, 'the stream ends with usage');

      const assistant = { role: 'assistant', content: streamed.choices[0].message.content ?? null, tool_calls: [call] };
      const answer = await client(door).chat.completions.create({
        model, tools, messages: [...question, assistant, { role: 'tool', tool_call_id: call.id, content: '18 C and sunny' }],
      });
      assert.equal(answer.choices[0].message.content, ANSWER);
      assert.equal(answer.choices[0].finish_reason, 'stop');
    });
  }
}
