// Starts the C# fake vendors (tests/FakeVendors, built by test.sh) and hands back their URLs and keys.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const configuration = process.env.LLMPROXY_CONFIGURATION ?? 'Debug';
const dll = path.join(here, '..', 'FakeVendors', 'bin', configuration, 'net10.0', 'FakeVendors.dll');

export async function startFakes() {
  const child = spawn('dotnet', [dll], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const first = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fake vendors did not start within 60 s')), 60_000);
    lines.once('line', (line) => { clearTimeout(timer); resolve(JSON.parse(line)); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the fake vendors exited with ${code}`)); });
  });
  const urls = await first;
  // Closing standard input ends the program; the exit promise lets the caller wait for it.
  const stop = () => new Promise((resolve) => { child.once('exit', resolve); child.stdin.end(); });
  return { urls, stop };
}
