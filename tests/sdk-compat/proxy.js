// Starts the standalone proxy (the built Functions assembly run with --standalone) pointed at the fake vendors, and
// creates a tenant key through the admin API, as an operator does.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const configuration = process.env.LLMPROXY_CONFIGURATION ?? 'Debug';
const dll = path.join(here, '..', '..', 'LlmProxy.Functions', 'bin', configuration, 'net10.0', 'LlmProxy.Functions.dll');

/**
 * @param {Record<string, {apiKey: string, baseUrl: string}>} fakeUrls the fake vendors to point at, by vendor name
 * @param {Record<string, string>} settings more settings, as environment variables (LlmProxy__...)
 */
export async function startProxy(fakeUrls, settings = {}) {
  const dataDirectory = mkdtempSync(path.join(tmpdir(), 'llmproxy-sdk-'));
  const adminKey = `admin-${randomUUID()}`;
  const env = {
    ...process.env, DOTNET_NOLOGO: '1',
    LlmProxy__Store__SqlitePath: path.join(dataDirectory, 'proxy.db'),
    LlmProxy__Admin__ApiKey: adminKey,
    // The suite makes many calls a minute as one user.
    LlmProxy__Quota__RequestsPerMinutePerUser: '0',
    LlmProxy__Cache__Enabled: 'false',
    ...settings,
  };
  for (const [vendor, fake] of Object.entries(fakeUrls)) {
    env[`LlmProxy__Providers__${vendor}__ApiKey`] = fake.apiKey;
    env[`LlmProxy__Providers__${vendor}__BaseUrl`] = fake.baseUrl;
  }
  // Its own working directory, so no local.settings.json of a developer is read.
  const child = spawn('dotnet', [dll, '--standalone', '--urls', 'http://127.0.0.1:0', '--environment', 'Production'],
    { cwd: dataDirectory, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the proxy did not start within 60 s:\n${output}`)), 60_000);
    const onData = (data) => {
      output += data.toString();
      const match = /Now listening on: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the proxy exited with ${code}:\n${output}`)); });
  });
  child.stdout.resume();
  child.stderr.resume();
  const created = await fetch(`${url}/api/admin/tenants/sdk/keys`, { method: 'POST', headers: { 'X-Admin-Key': adminKey }, body: '{"name":"sdk suite"}' });
  if (created.status !== 201) throw new Error(`creating a tenant key failed: ${created.status} ${await created.text()}`);
  const { key } = await created.json();
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDirectory, { recursive: true, force: true });
  };
  return { url, key, adminKey, stop };
}

/** A fetch that counts the requests it sends: what the proxy saw, retries included. */
export function countingFetch() {
  const counted = (input, init) => { counted.count++; return fetch(input, init); };
  counted.count = 0;
  return counted;
}
