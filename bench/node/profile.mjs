// Profiles one row under load: starts the fake vendor and the row (pinned like the benchmark), warms it up,
// then under wrk -c32 collects (1) dotnet-counters (allocation rate, GC, lock contention, thread pool, CPU,
// all divided per request), (2) a CPU trace reported as the top methods by exclusive and inclusive time and
// (3) a gc-verbose trace summarised by bench/AllocationSummary into bytes per request by type and by our
// own method on the stack. Writes bench/results/profile/<row>/. Started by bench/profile.sh.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allTargets, bench, PROXY_CPU } from './targets.mjs';
import { log, Processes, run, sleep, streams, waitReady, wrk } from './harness.mjs';

const { values: opts } = parseArgs({
  options: {
    row: { type: 'string', default: 'llmproxy-full' },
    seconds: { type: 'string', default: '10' },
    stream: { type: 'boolean', default: false },   // profile streaming load instead of non-streaming
    tools: { type: 'string', default: join(bench, '.tools') },
  },
});
const SECONDS = Number(opts.seconds);
const out = join(bench, 'results', 'profile', opts.row + (opts.stream ? '-stream' : ''));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const targets = allTargets(out);
const target = targets.find((t) => t.name === opts.row && t.command?.[0] === 'dotnet')
  ?? (() => { throw new Error(`--row must be a .NET row: ${targets.filter((t) => t.command?.[0] === 'dotnet').map((t) => t.name).join(', ')}`); })();
const processes = new Processes(out);
await waitReady(targets[0], processes.startVendor(20, 500), out);
const child = processes.start(target.name, PROXY_CPU, target.command, target.env);
target.pid = child.pid;
await waitReady(target, child, out);
log(`${target.name} ready (pid ${target.pid}); warming up`);
const load = (seconds) => (opts.stream ? streams(target, 32, seconds) : wrk(target, 32, seconds));
await load(5);

const tool = (name) => join(opts.tools, name);
const duration = `00:00:00:${String(SECONDS).padStart(2, '0')}`;

log(`dotnet-counters for ${SECONDS}s under load`);
const countersFile = join(out, 'counters.json');
const counters = run(tool('dotnet-counters'), ['collect', '-p', String(target.pid), '--format', 'json', '-o', countersFile, '--duration', duration,
  '--counters', 'System.Runtime,Microsoft.AspNetCore.Hosting,System.Net.Http'], {}, SECONDS + 60);
await sleep(1000);
const countedLoad = await load(SECONDS - 2);
await counters;

// CPU: kernel samples through collect-linux (root, Linux, .NET 10) when it works; else EventPipe's sampled
// thread time, which counts waiting threads too and so needs reading with care.
async function traced(file, collectArgs) {
  const trace = run(tool('dotnet-trace'), [...collectArgs, '--duration', duration, '-o', file], {}, SECONDS + 120);
  await sleep(1000);
  const loadResult = await load(SECONDS - 2);
  await trace;
  return loadResult;
}
const cpuTrace = join(out, 'cpu.nettrace');
let cpuProfile = 'collect-linux --profile cpu-sampling (kernel CPU samples)';
let tracedLoad;
try {
  log(`dotnet-trace ${cpuProfile} for ${SECONDS}s under load`);
  tracedLoad = await traced(cpuTrace, ['collect-linux', '-p', String(target.pid), '--profile', 'cpu-sampling']);
} catch (e) {
  cpuProfile = 'collect --profile dotnet-sampled-thread-time (wall clock, waiting threads included)';
  log(`collect-linux failed (${String(e).slice(0, 200)}); falling back to ${cpuProfile}`);
  tracedLoad = await traced(cpuTrace, ['collect', '-p', String(target.pid), '--profile', 'dotnet-sampled-thread-time']);
}
const exclusive = await run(tool('dotnet-trace'), ['report', cpuTrace, 'topN', '-n', '40'], {}, 300);
const inclusive = await run(tool('dotnet-trace'), ['report', cpuTrace, 'topN', '-n', '120', '--inclusive'], {}, 300);
writeFileSync(join(out, 'top-exclusive.txt'), exclusive);
writeFileSync(join(out, 'top-inclusive.txt'), inclusive);

log(`dotnet-trace gc-verbose (allocation ticks) for ${SECONDS}s under load`);
const allocTrace = join(out, 'alloc.nettrace');
const allocLoad = await traced(allocTrace, ['collect', '-p', String(target.pid), '--profile', 'gc-verbose']);
const allocations = await run('dotnet', [join(bench, 'AllocationSummary', 'bin', 'Release', 'net10.0', 'AllocationSummary.dll'), allocTrace, String(allocLoad.requests)], {}, 600);
writeFileSync(join(out, 'allocations.txt'), allocations);

// dotnet-counters' JSON: one object per reading; keep the mean of each counter over the load.
const readings = JSON.parse(readFileSync(countersFile, 'utf8').replace(/,\s*\]\s*}\s*$/, ']}')).Events ?? [];
const byName = {};
for (const e of readings) (byName[`${e.provider} / ${e.name}${e.tags ? ` [${e.tags}]` : ''}`] ??= []).push(e.value);
const means = Object.fromEntries(Object.entries(byName).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length]));
const perRequest = (name) => Object.entries(means).filter(([k]) => k.includes(name)).reduce((a, [, v]) => a + v, 0) / (countedLoad.requests / countedLoad.seconds);
const derived = {
  allocatedBytesPerRequest: perRequest('dotnet.gc.heap.total_allocated'),
  lockContentionsPerRequest: perRequest('dotnet.monitor.lock_contentions'),
  cpuMsPerRequest: perRequest('dotnet.process.cpu.time') * 1000,
  threadPoolWorkItemsPerRequest: perRequest('dotnet.thread_pool.work_item.count'),
};
const summary = { row: target.name, stream: opts.stream, seconds: SECONDS, cpuProfile, countedLoad, tracedLoad, allocLoad, derived, counterMeans: means };
writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2));
console.log(JSON.stringify({ countedLoad: { rps: countedLoad.rps, p50: countedLoad.p50, errors: countedLoad.errors }, derived }, null, 2));
for (const [k, v] of Object.entries(means)) console.log(`${k}: ${v.toFixed(3)}`);
console.log(`\nCPU profile: ${cpuProfile}\nTop methods, exclusive:\n${exclusive}\nTop methods, inclusive:\n${inclusive}\nAllocations:\n${allocations}`);
log(`wrote ${out}`);
processes.stopAll();
await sleep(500);
process.exit(0);
