// The rows of the benchmark: what each one starts, with which settings, and how a request to it looks.
// LlmProxy rows differ only by settings. They run as a deployment does (Production environment) and every call
// carries a real tenant key, created through the admin API once the row is up (run.mjs); its check costs one SHA-256
// and a dictionary look-up once cached, as in production. The response cache is off in every row: the same request
// is sent again and again, and hits would measure the cache, not the proxy. BENCH_FULL_ENV adds settings to the full
// rows; see bench/README.md.
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const bench = resolve(here, '..');
export const repo = resolve(bench, '..');

export const LOAD_CPU = '0';
export const PROXY_CPU = '1';
export const VENDOR_PORT = 19101;
export const VENDOR = `http://127.0.0.1:${VENDOR_PORT}`;
const VENDOR_KEY = 'sk-bench-vendor';
const MESSAGES = [{ role: 'user', content: 'Say hello in five words.' }];

export const llmproxyDll = join(repo, 'LlmProxy.Functions', 'bin', 'Release', 'net10.0', 'LlmProxy.Functions.dll');
export const yarpDll = join(bench, 'YarpPassThrough', 'bin', 'Release', 'net10.0', 'YarpPassThrough.dll');
const portkeyStart = join(here, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');

// Limits far above what a run uses: every check runs, none refuses.
const QUOTA_ON = {
  LlmProxy__Quota__DefaultUserTokens: '1000000000000',
  LlmProxy__Quota__DefaultTenantTokens: '1000000000000',
  LlmProxy__Quota__RequestsPerMinutePerUser: '1000000000',
  LlmProxy__Quota__RequestsPerMinutePerTenant: '1000000000',
};
// 0 = unlimited for every limit: no rate window is counted and no reservation taken. The request log is off too.
const QUOTA_OFF = {
  LlmProxy__RequestLog__Enabled: 'false',
  LlmProxy__Quota__DefaultUserTokens: '0',
  LlmProxy__Quota__DefaultTenantTokens: '0',
  LlmProxy__Quota__RequestsPerMinutePerUser: '0',
  LlmProxy__Quota__RequestsPerMinutePerTenant: '0',
};

// The framework's per-request lines (8 per call), off by default in the standalone host.
const REQUEST_LOGS = {
  'Logging__LogLevel__Microsoft.AspNetCore': 'Information',
  'Logging__LogLevel__System.Net.Http.HttpClient': 'Information',
};

// Only the harness knows it; it creates each row's tenant key (tenant "bench") and nothing else.
export const ADMIN_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;

function fullRowAuth(env) {
  const settings = Object.fromEntries((env.BENCH_FULL_ENV ?? '').split(';').filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { headers: {}, settings, described: 'tenant key checked, request log with bodies -> SQLite' };
}

function llmproxy(name, port, settings, extraHeaders, description, runDir) {
  return {
    name, description, port,
    command: ['dotnet', llmproxyDll, '--standalone', '--urls', `http://127.0.0.1:${port}`],
    env: {
      LlmProxy__Providers__openai__ApiKey: VENDOR_KEY,
      LlmProxy__Providers__openai__BaseUrl: `${VENDOR}/v1`,
      LlmProxy__Store__SqlitePath: join(runDir, `${name}.db`),
      DOTNET_ENVIRONMENT: 'Production',
      LlmProxy__Admin__ApiKey: ADMIN_KEY,
      LlmProxy__Cache__Enabled: 'false',
      ...settings,
    },
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    model: 'openai/gpt-4o-mini', slowModel: 'openai/bench-slow',
    headers: { ...extraHeaders },
    tenant: 'bench',
    user: 'bench-user',
  };
}

/** Every row, the direct baseline first. runDir holds each row's SQLite file and log. */
export function allTargets(runDir, env = process.env) {
  const auth = fullRowAuth(env);
  return [
    {
      name: 'direct', description: 'straight to the fake vendor (baseline)',
      url: `${VENDOR}/v1/chat/completions`, model: 'gpt-4o-mini', slowModel: 'bench-slow',
      headers: { Authorization: `Bearer ${VENDOR_KEY}` },
    },
    llmproxy('llmproxy-full', 19111, { ...QUOTA_ON, ...auth.settings }, auth.headers,
      `standalone host, every part on: token quotas and rate limits set (far above use), usage event -> SQLite, ${auth.described}`, runDir),
    llmproxy('llmproxy-min', 19112, QUOTA_OFF, {},
      'standalone host, optional parts off by setting: token quotas and rate limits 0 (= unlimited), request log off. The tenant key is still checked and every call is still recorded: no setting skips them', runDir),
    llmproxy('llmproxy-full-logs', 19113, { ...QUOTA_ON, ...auth.settings, ...REQUEST_LOGS }, auth.headers,
      'as llmproxy-full, plus the per-request Information logs of ASP.NET Core and HttpClient on the console (the default before this branch)', runDir),
    {
      name: 'yarp', description: 'bare YARP 2.3.0 pass-through (bench/YarpPassThrough), the .NET floor', port: 19120,
      command: ['dotnet', yarpDll, '--urls', 'http://127.0.0.1:19120', `--vendor=${VENDOR}/`],
      env: {}, url: 'http://127.0.0.1:19120/v1/chat/completions', model: 'gpt-4o-mini', slowModel: 'bench-slow',
      headers: { Authorization: `Bearer ${VENDOR_KEY}` },
    },
    {
      name: 'portkey', description: 'Portkey gateway 1.15.2 from npm (@hono/node-server pinned to 1.13.8)', port: 19130,
      command: ['node', portkeyStart, '--port=19130', '--headless'],
      env: { NODE_ENV: 'production' }, url: 'http://127.0.0.1:19130/v1/chat/completions', model: 'gpt-4o-mini', slowModel: 'bench-slow',
      headers: { Authorization: `Bearer ${VENDOR_KEY}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${VENDOR}/v1` },
    },
  ];
}

/** The JSON body a row expects: a chat completion, streamed (with the usage chunk) or not, fast or slow. */
export function requestBody(target, { stream = false, slow = false } = {}) {
  const body = { model: slow ? target.slowModel : target.model, messages: MESSAGES };
  if (target.user) body.user = target.user;
  if (stream) { body.stream = true; body.stream_options = { include_usage: true }; }
  return JSON.stringify(body);
}
