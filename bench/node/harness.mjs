// What the benchmark and the profiler share: pinned processes, the load generators (wrk, the stream client)
// and readings of a process from /proc. Loopback only; every child run has a kill timer.
import { spawn, execFileSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_KEY, bench, here, LOAD_CPU, requestBody, VENDOR_PORT } from './targets.mjs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);

/** Starts and stops the processes of one run; stops them all when this process exits. */
export class Processes {
  #children = [];

  constructor(runDir) {
    this.runDir = runDir;
    process.on('exit', () => this.stopAll());
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { this.stopAll(); process.exit(130); });
  }

  /** Starts command pinned to cpu, its output in runDir/name.log. */
  start(name, cpu, command, env) {
    const output = openSync(join(this.runDir, `${name}.log`), 'w');
    // taskset execs the command, so the child's pid is the process under test.
    const child = spawn('taskset', ['-c', cpu, ...command], { cwd: this.runDir, env: { ...process.env, ...env }, stdio: ['ignore', output, output] });
    this.#children.push(child);
    return child;
  }

  startVendor(chunks, slowIntervalMs) {
    return this.start('fake-vendor', LOAD_CPU, ['node', join(here, 'fake-vendor.mjs'), '--port', String(VENDOR_PORT),
      '--chunks', String(chunks), '--slow-interval-ms', String(slowIntervalMs)], {});
  }

  stopAll() {
    for (const c of this.#children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  }
}

/** Runs a command to its end (killed after limitSeconds) and returns its stdout. */
export function run(command, args, env, limitSeconds) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out); else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err || out}`));
    });
  });
}

/** Waits (at most 90 s) until the row answers a real chat completion. */
export async function waitReady(target, child, runDir) {
  const deadline = Date.now() + 90_000;
  let last = '';
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${target.name} exited with ${child.exitCode}; see ${runDir}/${target.name}.log`);
    try {
      if (target.tenant && !target.headers.Authorization) target.headers.Authorization = `Bearer ${await createTenantKey(target)}`;
      const res = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: requestBody(target), signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      if (res.ok && JSON.parse(text).choices?.length === 1) return;
      last = `${res.status} ${text.slice(0, 300)}`;
    } catch (e) { last = String(e); }
    await sleep(250);
  }
  throw new Error(`${target.name} did not answer a chat completion within 90 s: ${last}`);
}

/** A key of the row's tenant, created through the admin API as an operator would. */
async function createTenantKey(target) {
  const res = await fetch(new URL(`/api/admin/tenants/${target.tenant}/keys`, target.url), {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
    body: JSON.stringify({ name: 'bench' }), signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`creating a key: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text).key;
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export function rssMiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/** Runs fn while sampling the row's RSS every 200 ms; adds cpuSeconds and rssMaxMiB to its result. */
export async function observed(target, fn) {
  if (!target.pid) return fn();
  const cpu0 = cpuSeconds(target.pid);
  let rssMax = rssMiB(target.pid);
  const sampler = setInterval(() => { rssMax = Math.max(rssMax, rssMiB(target.pid)); }, 200);
  try {
    const result = await fn();
    return { ...result, cpuSeconds: cpuSeconds(target.pid) - cpu0, rssMaxMiB: Math.max(rssMax, rssMiB(target.pid)) };
  } finally {
    clearInterval(sampler);
  }
}

/** Non-streaming load: wrk, one thread, on the load CPU. Latencies in ms. */
export async function wrk(target, connections, seconds) {
  const headers = Object.entries(target.headers).map(([k, v]) => `${k}: ${v}`).join('\n');
  const out = await run('taskset', ['-c', LOAD_CPU, 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency',
    '-s', join(bench, 'wrk', 'post.lua'), target.url], { BENCH_BODY: requestBody(target), BENCH_HEADERS: headers }, seconds + 30);
  const json = JSON.parse(out.split('\n').find((l) => l.startsWith('BENCHJSON ')).slice('BENCHJSON '.length));
  const secondsRun = json.duration_us / 1e6;
  return {
    requests: json.requests, errors: Object.values(json.errors).reduce((a, b) => a + b, 0), errorKinds: json.errors,
    seconds: secondsRun, rps: json.requests / secondsRun,
    p50: json.latency_us.p50 / 1000, p90: json.latency_us.p90 / 1000, p99: json.latency_us.p99 / 1000, max: json.latency_us.max / 1000,
  };
}

/** Streaming load: the node stream client, CONNECTIONS loops, on the load CPU. */
export async function streams(target, connections, seconds) {
  const out = await run('taskset', ['-c', LOAD_CPU, 'node', join(here, 'stream-load.mjs'), '--url', target.url,
    '--body', requestBody(target, { stream: true }), '--headers', JSON.stringify(target.headers),
    '--connections', String(connections), '--duration', String(seconds)], {}, seconds + 60);
  const r = JSON.parse(out.trim().split('\n').pop());
  return {
    requests: r.requests, errors: r.errors, errorKinds: r.errorKinds, seconds: r.seconds, streamsPerSecond: r.streamsPerSecond,
    ttfeP50: r.ttfeMs.p50, ttfeP90: r.ttfeMs.p90, ttfeP99: r.ttfeMs.p99, totalP50: r.totalMs.p50, totalP99: r.totalMs.p99,
    eventsPerRequest: r.eventsPerRequest,
  };
}

/** Opens `count` slow streams at once and samples the row's RSS while all are open. */
export async function openStreams(target, count) {
  const args = [join(here, 'stream-load.mjs'), '--url', target.url, '--body', requestBody(target, { stream: true, slow: true }),
    '--headers', JSON.stringify(target.headers), '--open', String(count), '--open-timeout', '60', '--timeout', '90'];
  if (target.pid) args.push('--rss-pid', String(target.pid));
  return JSON.parse((await run('taskset', ['-c', LOAD_CPU, 'node', ...args], {}, 180)).trim().split('\n').pop());
}
