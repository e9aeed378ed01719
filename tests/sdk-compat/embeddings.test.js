// The official openai SDK calls the proxy's POST /v1/embeddings, and the proxy calls each vendor's fake in that
// vendor's own format: the SDK's default base64 answer and explicit float answers decode to the fakes' vectors, in
// the order of the texts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakes } from './fakes.js';
import { startProxy } from './proxy.js';

const models = {
  openai: 'text-embedding-3-small',
  mistral: 'mistral-embed',
  cohere: 'embed-v4.0',
  gemini: 'gemini-embedding-001',
};
const texts = ['The first text.', 'Ünïcødé second — text', 'third'];

// The fakes' vector for a text (LlmProxy.Tests/Fakes/FakeEmbeddings.cs): its length, then hash-derived multiples of 1/1024.
function fakeVector(text, dimensions = 4) {
  let seed = 0;
  for (const c of text) for (let i = 0; i < c.length; i += 1) seed = (Math.imul(seed, 31) + c.charCodeAt(i)) | 0;
  const values = [text.length];
  for (let i = 1; i < dimensions; i += 1) values.push(((((seed + i * 7919) | 0) >>> 0) % 2048) / 1024 - 1);
  return values;
}

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

const client = () => new OpenAI({ apiKey: proxy.key, baseURL: `${proxy.url}/v1`, maxRetries: 0 });

for (const [vendor, model] of Object.entries(models)) {
  test(`openai SDK embeds through the proxy with ${vendor} (default base64 answer)`, async () => {
    const response = await client().embeddings.create({ model: `${vendor}/${model}`, input: texts });
    assert.equal(response.object, 'list');
    assert.deepEqual(response.data.map((d) => d.index), [0, 1, 2]);
    assert.deepEqual(response.data.map((d) => Array.from(d.embedding)), texts.map((t) => fakeVector(t)));
    assert.ok(response.usage.prompt_tokens > 0);
    assert.equal(response.usage.total_tokens, response.usage.prompt_tokens);
  });

  test(`openai SDK embeds one string through the proxy with ${vendor} as floats`, async () => {
    const response = await client().embeddings.create({ model: `${vendor}/${model}`, input: texts[1], encoding_format: 'float' });
    assert.equal(response.data.length, 1);
    assert.deepEqual(response.data[0].embedding, fakeVector(texts[1]));
  });
}

test('openai SDK reads the proxy\'s 400 for a vendor without embeddings', async () => {
  await assert.rejects(client().embeddings.create({ model: 'deepseek/deepseek-chat', input: 'x' }),
    (e) => e.status === 400 && e.error?.param === 'model');
});

test('openai SDK gets one vector per text for more texts than a Cohere call takes', async () => {
  const many = Array.from({ length: 200 }, (_, i) => `text number ${i}`);
  const response = await client().embeddings.create({ model: 'cohere/embed-v4.0', input: many });
  assert.deepEqual(response.data.map((d) => Array.from(d.embedding)), many.map((t) => fakeVector(t)));
});
