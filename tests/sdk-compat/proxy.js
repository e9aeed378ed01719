// Starts the proxy's standalone host (LlmProxy.Functions, built by test.sh) on a free 127.0.0.1 port with its own
// SQLite file, as a user runs it, and hands back its URL; the clients under test talk to it as they would in production.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const configuration = process.env.LLMPROXY_CONFIGURATION ?? 'Debug';
const dll = path.join(here, '..', '..', 'LlmProxy.Functions', 'bin', configuration, 'net10.0', 'LlmProxy.Functions.dll');

/** @param {Record<string, string>} settings configuration keys in ':' form */
export async function startProxy(settings) {
  // A directory of its own: the host reads local.settings.json from its working directory, and keeps its database there.
  const directory = mkdtempSync(path.join(tmpdir(), 'llmproxy-clients-'));
  const args = [dll, '--standalone', '--urls', 'http://127.0.0.1:0', '--environment', 'Production',
    '--LlmProxy:Store:SqlitePath', path.join(directory, 'proxy.db')];
  for (const [key, value] of Object.entries(settings)) args.push(`--${key}`, value);
  const child = spawn('dotnet', args, { cwd: directory, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the proxy did not start within 60 s')), 60_000);
    lines.on('line', (line) => {
      const listening = /Now listening on: (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (listening) { clearTimeout(timer); resolve(listening[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the proxy exited with ${code}`)); });
  });
  const stop = () => new Promise((resolve) => {
    child.once('exit', () => { rmSync(directory, { recursive: true, force: true }); resolve(); });
    child.kill('SIGTERM');
  });
  return { url, stop };
}

/** A fetch that counts the requests it sends: what the proxy saw, retries included. */
export function countingFetch() {
  const counted = (input, init) => { counted.count++; return fetch(input, init); };
  counted.count = 0;
  return counted;
}
