// The official openai SDK (client.responses.create / .stream) and the Vercel AI SDK's default OpenAI provider
// (openai(model), which calls the Responses API) against the proxy's POST /v1/responses, for the mock and for vendors
// other than OpenAI: text, a function call and its output sent back, text.format json_schema, usage on the quota.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { generateText, streamText, tool, jsonSchema, stepCountIs, Output } from 'ai';
import { startFakes } from './fakes.js';
import { startProxy } from './proxy.js';

const parameters = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'], additionalProperties: false };
// strict: false, as Gemini does not promise arguments that match the schema (strict: true to it is a 400).
const tools = [{ type: 'function', name: 'get_weather', description: 'Weather for a city', parameters, strict: false }];
const QUESTION = 'Weather in Paris for two days?';

/** What each vendor answers: the fakes a fixed text and call; the mock echoes the question and fills the schema from it. */
const VENDORS = {
  'mock/echo': { text: (asked) => asked, call: { city: QUESTION, days: 0 } },
  'anthropic/claude-haiku-4-5': { text: () => 'Hello from the fake vendor.', call: { city: 'Paris', days: 2 } },
  'gemini/gemini-2.5-flash': { text: () => 'Hello from the fake vendor.', call: { city: 'Paris', days: 2 } },
};

let fakes;
let proxy;
let openai;
before(async () => {
  fakes = await startFakes();
  proxy = await startProxy(fakes.urls);
  // The Vercel AI SDK's default provider reads its base URL and key from the environment when it is first imported.
  process.env.OPENAI_BASE_URL = `${proxy.url}/v1`;
  process.env.OPENAI_API_KEY = proxy.key;
  ({ openai } = await import('@ai-sdk/openai'));
});
after(async () => { await proxy?.stop(); await fakes?.stop(); });

const client = () => new OpenAI({ apiKey: proxy.key, baseURL: `${proxy.url}/v1`, maxRetries: 0 });

/** The user's tokens used this period, once the proxy has recorded `calls` calls (recording is asynchronous). */
async function usedBy(user, atLeast) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const status = await (await fetch(`${proxy.url}/api/quota?userId=${user}`, { headers: { Authorization: `Bearer ${proxy.key}` } })).json();
    if (status.used >= atLeast) return status.used;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`usage for ${user} never reached ${atLeast}`);
}

for (const [model, expected] of Object.entries(VENDORS)) {
  test(`${model}: responses.create and responses.stream answer text, counted on the quota`, async () => {
    const user = `resp-${randomUUID()}`;
    const whole = await client().responses.create({ model, input: 'Say hello', instructions: 'Be brief.', user, metadata: { run: 'sdk' } });
    assert.equal(whole.object, 'response');
    assert.equal(whole.status, 'completed');
    assert.equal(whole.output_text, expected.text('Say hello'));
    assert.deepEqual([whole.model, whole.instructions, whole.metadata], [model, 'Be brief.', { run: 'sdk' }]);
    assert.ok(whole.usage.input_tokens > 0 && whole.usage.output_tokens > 0);
    assert.equal(whole.usage.total_tokens, whole.usage.input_tokens + whole.usage.output_tokens);

    const stream = client().responses.stream({ model, input: [{ role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] }], user });
    const deltas = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const streamed = await stream.finalResponse();
    assert.equal(deltas.join(''), expected.text('Say hello'));
    assert.equal(streamed.output_text, expected.text('Say hello'));
    assert.equal(streamed.status, 'completed');
    assert.ok(streamed.usage.output_tokens > 0);

    assert.equal(await usedBy(user, whole.usage.total_tokens + streamed.usage.total_tokens), whole.usage.total_tokens + streamed.usage.total_tokens);
  });

  test(`${model}: a function call, streamed, then its function_call_output in the next input`, async () => {
    const stream = client().responses.stream({ model, input: QUESTION, tools });
    const argumentDeltas = [];
    stream.on('response.function_call_arguments.delta', (event) => argumentDeltas.push(event.delta));
    const first = await stream.finalResponse();
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call.call_id && call.id);
    assert.deepEqual([call.name, JSON.parse(call.arguments), JSON.parse(argumentDeltas.join(''))], ['get_weather', expected.call, expected.call]);

    const whole = await client().responses.create({ model, input: QUESTION, tools });
    assert.deepEqual(JSON.parse(whole.output.find((item) => item.type === 'function_call').arguments), expected.call);

    const answer = await client().responses.create({
      model, tools,
      input: [{ role: 'user', content: QUESTION }, call, { type: 'function_call_output', call_id: call.call_id, output: '18 C and sunny' }],
    });
    assert.equal(answer.status, 'completed');
    assert.equal(answer.output_text, expected.text(QUESTION));
  });

  test(`${model}: the Vercel AI SDK's openai(model) with generateText and streamText, a tool run included`, async () => {
    const text = await generateText({ model: openai(model), prompt: 'Say hello' });
    assert.equal(text.text, expected.text('Say hello'));
    assert.ok(text.usage.inputTokens > 0 && text.usage.outputTokens > 0);

    const streamed = streamText({ model: openai(model), prompt: 'Say hello' });
    let pieces = '';
    for await (const piece of streamed.textStream) pieces += piece;
    assert.equal(pieces, expected.text('Say hello'));
    assert.equal((await streamed.finishReason), 'stop');

    // With store (the SDK's default) it sends an earlier answer's text back as a reference to the stored item, which
    // the proxy does not keep; store: false makes it send the text itself.
    const providerOptions = { openai: { store: false } };
    const seen = [];
    const weather = tool({ description: 'Weather for a city', inputSchema: jsonSchema(parameters), execute: async (input) => { seen.push(input); return '18 C and sunny'; } });
    const run = await generateText({ model: openai(model), prompt: QUESTION, tools: { get_weather: weather }, stopWhen: stepCountIs(2), providerOptions });
    assert.deepEqual(seen, [expected.call]);
    assert.equal(run.steps.length, 2);
    assert.equal(run.text, expected.text(QUESTION));

    const streamedRun = streamText({ model: openai(model), prompt: QUESTION, tools: { get_weather: weather }, stopWhen: stepCountIs(2), providerOptions });
    assert.equal(await streamedRun.text, expected.text(QUESTION));
    assert.equal(seen.length, 2);
  });
}

// The mock echoes whatever the format; the fakes answer the JSON a format asks for.
for (const model of ['anthropic/claude-haiku-4-5', 'gemini/gemini-2.5-flash']) {
  test(`${model}: text.format json_schema through responses.create, responses.stream and the Vercel AI SDK's Output.object`, async () => {
    const format = { type: 'json_schema', name: 'weather', schema: parameters, strict: false };
    const whole = await client().responses.create({ model, input: QUESTION, text: { format } });
    assert.deepEqual(JSON.parse(whole.output_text), { city: 'Paris', days: 2 });
    assert.equal(whole.text.format.name, 'weather');

    const streamed = await client().responses.stream({ model, input: QUESTION, text: { format } }).finalResponse();
    assert.deepEqual(JSON.parse(streamed.output_text), { city: 'Paris', days: 2 });

    const structured = await generateText({ model: openai(model), prompt: QUESTION, output: Output.object({ schema: jsonSchema(parameters) }) });
    assert.deepEqual(structured.output, { city: 'Paris', days: 2 });
  });
}
