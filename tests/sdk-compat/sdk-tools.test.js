// The vendors' official SDKs send their own tool and structured-output requests to the fakes and read what the fakes
// answer, whole and streamed, then send the tool's result back: if a fake drifted from a vendor's native tool format
// (a field name, an event, where the id lives), the SDK would fail here, not the proxy in production.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { CohereClientV2 } from 'cohere-ai';
import { Mistral } from '@mistralai/mistralai';
import { startFakes } from './fakes.js';

const ANSWER = 'Hello from the fake vendor.';
const ARGUMENTS = { city: 'Paris', days: 2 };
const RESULT = '18 C and sunny';
const parameters = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] };
const openAITools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters } }];
const question = [{ role: 'user', content: 'Weather in Paris for two days?' }];
let fakes;

before(async () => { fakes = await startFakes(); });
after(async () => { await fakes?.stop(); });

for (const vendor of ['openai', 'deepseek']) {
  const client = () => new OpenAI({ apiKey: fakes.urls[vendor].apiKey, baseURL: fakes.urls[vendor].baseUrl, maxRetries: 0 });
  const model = vendor === 'openai' ? 'gpt-4o-mini' : 'deepseek-chat';

  test(`openai SDK: the ${vendor} fake's tool call, whole and streamed, then its result`, async () => {
    const whole = await client().chat.completions.create({ model, messages: question, tools: openAITools, tool_choice: 'required' });
    assert.equal(whole.choices[0].finish_reason, 'tool_calls');
    const call = whole.choices[0].message.tool_calls[0];
    assert.deepEqual([call.type, call.function.name, JSON.parse(call.function.arguments)], ['function', 'get_weather', ARGUMENTS]);

    const streamed = await client().chat.completions.stream({ model, messages: question, tools: openAITools }).finalChatCompletion();
    assert.equal(streamed.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(JSON.parse(streamed.choices[0].message.tool_calls[0].function.arguments), ARGUMENTS);

    const answer = await client().chat.completions.create({
      model, tools: openAITools,
      messages: [...question, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: RESULT }],
    });
    assert.equal(answer.choices[0].message.content, ANSWER);
  });

  test(`openai SDK: the ${vendor} fake answers JSON when asked for a JSON object`, async () => {
    const completion = await client().chat.completions.create({ model, messages: question, response_format: { type: 'json_object' } });
    assert.deepEqual(JSON.parse(completion.choices[0].message.content), ARGUMENTS);
  });
}

test('openai SDK: the openai fake takes a json_schema response format', async () => {
  const client = new OpenAI({ apiKey: fakes.urls.openai.apiKey, baseURL: fakes.urls.openai.baseUrl, maxRetries: 0 });
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini', messages: question, response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: parameters, strict: true } },
  });
  assert.deepEqual(JSON.parse(completion.choices[0].message.content), ARGUMENTS);
});

test('anthropic SDK: the anthropic fake\'s tool_use, whole and streamed (input_json_delta), then its tool_result', async () => {
  const client = new Anthropic({ apiKey: fakes.urls.anthropic.apiKey, baseURL: fakes.urls.anthropic.rootUrl, maxRetries: 0 });
  const tools = [{ name: 'get_weather', description: 'Weather for a city', input_schema: parameters }];
  const whole = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 200, tools, tool_choice: { type: 'any' }, messages: question });
  assert.equal(whole.stop_reason, 'tool_use');
  const use = whole.content.find((b) => b.type === 'tool_use');
  assert.deepEqual([use.name, use.input], ['get_weather', ARGUMENTS]);

  const jsonPieces = [];
  const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 200, tools, messages: question });
  stream.on('inputJson', (piece) => jsonPieces.push(piece));
  const streamed = await stream.finalMessage();
  assert.equal(streamed.stop_reason, 'tool_use');
  assert.deepEqual(streamed.content.find((b) => b.type === 'tool_use').input, ARGUMENTS);
  assert.ok(jsonPieces.length >= 2, 'the input arrives in input_json_delta pieces');

  const answer = await client.messages.create({
    model: 'claude-haiku-4-5', max_tokens: 200, tools,
    messages: [...question, { role: 'assistant', content: whole.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: RESULT }] }],
  });
  assert.equal(answer.content[0].text, ANSWER);
  assert.equal(answer.stop_reason, 'end_turn');
});

test('anthropic fake refuses a tool_use left without its tool_result, as the API does', async () => {
  const client = new Anthropic({ apiKey: fakes.urls.anthropic.apiKey, baseURL: fakes.urls.anthropic.rootUrl, maxRetries: 0 });
  const tools = [{ name: 'get_weather', input_schema: parameters }];
  const unanswered = { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: ARGUMENTS }] };
  await assert.rejects(
    client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, tools, messages: [...question, unanswered, { role: 'user', content: 'and?' }] }),
    (e) => e.status === 400 && e.error?.error?.type === 'invalid_request_error');
});

const gemini = () => new GoogleGenAI({ apiKey: fakes.urls.gemini.apiKey, httpOptions: { baseUrl: fakes.urls.gemini.rootUrl } });
const geminiTools = [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather for a city', parameters }] }];

test('@google/genai: the gemini fake\'s functionCall, whole and streamed, then its functionResponse', async () => {
  const config = { tools: geminiTools, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } } };
  const whole = await gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Weather in Paris for two days?', config });
  const [call] = whole.functionCalls;
  assert.deepEqual([call.name, call.args], ['get_weather', ARGUMENTS]);
  assert.equal(call.id, undefined, 'Gemini\'s calls carry no id');

  const calls = [];
  for await (const chunk of await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Weather in Paris for two days?', config: { tools: geminiTools } }))
    calls.push(...(chunk.functionCalls ?? []));
  assert.deepEqual(calls.map((c) => [c.name, c.args]), [['get_weather', ARGUMENTS]]);

  const answer = await gemini().models.generateContent({
    model: 'gemini-2.5-flash', config: { tools: geminiTools },
    contents: [
      { role: 'user', parts: [{ text: 'Weather in Paris for two days?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: ARGUMENTS } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: RESULT } } }] },
    ],
  });
  assert.equal(answer.text, ANSWER);
});

test('@google/genai: the gemini fake answers JSON for responseMimeType and responseSchema, and refuses a keyword outside its subset', async () => {
  const response = await gemini().models.generateContent({
    model: 'gemini-2.5-flash', contents: 'Weather in Paris for two days?', config: { responseMimeType: 'application/json', responseSchema: parameters },
  });
  assert.deepEqual(JSON.parse(response.text), ARGUMENTS);
  await assert.rejects(
    gemini().models.generateContent({
      model: 'gemini-2.5-flash', contents: 'hi',
      // The SDK itself drops additionalProperties; a keyword it passes on (const) is refused by the API.
      config: { tools: [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string', const: 'Paris' } } } }] }] },
    }),
    (e) => e.status === 400 && /Unknown name \\?"const\\?"/.test(e.message));
});

const cohere = () => new CohereClientV2({ token: fakes.urls.cohere.apiKey, environment: fakes.urls.cohere.rootUrl, maxRetries: 0 });

test('cohere-ai: the cohere fake\'s tool plan and calls, whole and streamed (tool-call-start/-delta/-end), then the tool message', async () => {
  const whole = await cohere().chat({ model: 'command-a-03-2025', messages: question, tools: openAITools, toolChoice: 'REQUIRED' });
  assert.equal(whole.finishReason, 'TOOL_CALL');
  assert.ok(whole.message.toolPlan);
  const [call] = whole.message.toolCalls;
  assert.deepEqual([call.type, call.function.name, JSON.parse(call.function.arguments)], ['function', 'get_weather', ARGUMENTS]);

  const types = new Set();
  let started;
  let argumentsText = '';
  let finish;
  for await (const event of await cohere().chatStream({ model: 'command-a-03-2025', messages: question, tools: openAITools })) {
    types.add(event.type);
    if (event.type === 'tool-call-start') started = event.delta.message.toolCalls;
    if (event.type === 'tool-call-delta') argumentsText += event.delta.message.toolCalls.function.arguments;
    if (event.type === 'message-end') finish = event.delta.finishReason;
  }
  assert.ok(['tool-plan-delta', 'tool-call-start', 'tool-call-delta', 'tool-call-end'].every((t) => types.has(t)), [...types].join(', '));
  assert.deepEqual([started.id, started.function.name, JSON.parse(argumentsText), finish], [call.id, 'get_weather', ARGUMENTS, 'TOOL_CALL']);

  const answer = await cohere().chat({
    model: 'command-a-03-2025', tools: openAITools,
    messages: [...question, { role: 'assistant', toolPlan: whole.message.toolPlan, toolCalls: [call] }, { role: 'tool', toolCallId: call.id, content: RESULT }],
  });
  assert.equal(answer.message.content[0].text, ANSWER);
  assert.equal(answer.finishReason, 'COMPLETE');
});

test('cohere-ai: the cohere fake answers JSON for a json_object response format with a schema', async () => {
  const response = await cohere().chat({
    model: 'command-a-03-2025', messages: question, responseFormat: { type: 'json_object', jsonSchema: parameters },
  });
  assert.deepEqual(JSON.parse(response.message.content[0].text), ARGUMENTS);
});

const mistral = () => new Mistral({ apiKey: fakes.urls.mistral.apiKey, serverURL: fakes.urls.mistral.rootUrl });

test('@mistralai/mistralai: the mistral fake\'s tool call with a nine-character id, whole and streamed, then its result', async () => {
  const whole = await mistral().chat.complete({ model: 'mistral-small-latest', messages: question, tools: openAITools, toolChoice: 'any' });
  assert.equal(whole.choices[0].finishReason, 'tool_calls');
  const [call] = whole.choices[0].message.toolCalls;
  assert.match(call.id, /^[a-zA-Z0-9]{9}$/);
  assert.deepEqual([call.function.name, JSON.parse(call.function.arguments)], ['get_weather', ARGUMENTS]);

  let argumentsText = '';
  let finish;
  for await (const event of await mistral().chat.stream({ model: 'mistral-small-latest', messages: question, tools: openAITools })) {
    for (const piece of event.data.choices[0]?.delta?.toolCalls ?? []) argumentsText += piece.function.arguments;
    finish ??= event.data.choices[0]?.finishReason ?? undefined;
  }
  assert.deepEqual([JSON.parse(argumentsText), finish], [ARGUMENTS, 'tool_calls']);

  const answer = await mistral().chat.complete({
    model: 'mistral-small-latest', tools: openAITools,
    messages: [...question, { role: 'assistant', content: '', toolCalls: [call] }, { role: 'tool', toolCallId: call.id, name: 'get_weather', content: RESULT }],
  });
  assert.equal(answer.choices[0].message.content, ANSWER);
});

test('@mistralai/mistralai: the mistral fake answers JSON for a json_schema response format', async () => {
  const response = await mistral().chat.complete({
    model: 'mistral-small-latest', messages: question,
    responseFormat: { type: 'json_schema', jsonSchema: { name: 'weather', schemaDefinition: parameters, strict: true } },
  });
  assert.deepEqual(JSON.parse(response.choices[0].message.content), ARGUMENTS);
});
