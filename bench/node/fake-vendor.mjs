// A fast fake OpenAI Chat Completions vendor for the benchmark, loopback only.
//   POST /v1/chat/completions  non-streaming: one chat.completion with usage.
//                              stream:true: CHUNKS chat.completion.chunk events, a usage chunk when
//                              stream_options.include_usage is set, then data: [DONE].
//   model "bench-slow"         the same stream, one chunk every SLOW_INTERVAL_MS, to hold streams open.
// Usage: node fake-vendor.mjs --port 9001 [--chunks 20] [--slow-interval-ms 500]
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '9001' },
    chunks: { type: 'string', default: '20' },
    'slow-interval-ms': { type: 'string', default: '500' },
  },
});
const CHUNKS = Number(opts.chunks);
const SLOW_INTERVAL_MS = Number(opts['slow-interval-ms']);
const CREATED = Math.floor(Date.now() / 1000);

const completion = (model) => JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: CREATED, model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the fake vendor.' }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
});

const chunk = (model, i) => {
  const delta = i === 0 ? { role: 'assistant', content: '' } : { content: `tok${i} ` };
  const finish = i === CHUNKS - 1 ? 'stop' : null;
  return `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
};
const usageChunk = (model) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage: { prompt_tokens: 12, completion_tokens: CHUNKS - 1, total_tokens: 12 + CHUNKS - 1 } })}\n\n`;
const DONE = 'data: [DONE]\n\n';

function stream(req, res, body) {
  const model = body.model ?? 'unknown';
  const withUsage = body.stream_options?.include_usage === true;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  if (model !== 'bench-slow') {
    for (let i = 0; i < CHUNKS; i++) res.write(chunk(model, i));
    if (withUsage) res.write(usageChunk(model));
    res.end(DONE);
    return;
  }
  let i = 0;
  res.write(chunk(model, i++));
  const timer = setInterval(() => {
    if (i < CHUNKS) { res.write(chunk(model, i++)); return; }
    clearInterval(timer);
    if (withUsage) res.write(usageChunk(model));
    res.end(DONE);
  }, SLOW_INTERVAL_MS);
  res.on('close', () => clearInterval(timer));
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || !req.url.startsWith('/v1/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
    return;
  }
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    let body;
    try { body = JSON.parse(Buffer.concat(parts).toString('utf8')); } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"bad json","type":"invalid_request_error"}}');
      return;
    }
    if (body.stream === true) { stream(req, res, body); return; }
    const text = completion(body.model ?? 'unknown');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(Number(opts.port), '127.0.0.1', () => console.log(`fake vendor on http://127.0.0.1:${opts.port}`));
process.on('SIGTERM', () => process.exit(0));
