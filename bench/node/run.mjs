// Benchmark orchestrator: starts the fake vendor and every row, pinned with taskset (load generator and
// vendor on CPU 0, each proxy on CPU 1), measures them in interleaved rounds, and writes bench/results/
// results.json and results.md. Started by bench/run.sh, which installs and builds what it needs first.
// Loopback only; every run is bounded in time (wrk -d, stream client --duration, kill timers).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { allTargets, bench, llmproxyDll, LOAD_CPU, PROXY_CPU, yarpDll } from './targets.mjs';
import { log, observed, openStreams, Processes, rssMiB, sleep, streams, waitReady, wrk } from './harness.mjs';
import { renderMarkdown } from './report.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    targets: { type: 'string' },        // comma list to run a subset (direct is always included)
    'open-streams': { type: 'string' },
    out: { type: 'string', default: join(bench, 'results') },
  },
});

const quick = opts.quick;
const ROUNDS = Number(opts.rounds ?? (quick ? 1 : 3));
const SECONDS = Number(opts.seconds ?? (quick ? 1 : 5));
const WARMUP_SECONDS = quick ? 1 : 20;
const OPEN_STREAMS = Number(opts['open-streams'] ?? (quick ? 200 : 1000));
const SLOW_INTERVAL_MS = quick ? 150 : 500;   // 20 chunks: a slow stream stays open about 20 x this
const CHUNKS = 20;

const runDir = join(opts.out, 'run');
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });
const wanted = opts.targets ? new Set(['direct', ...opts.targets.split(',')]) : null;
const targets = allTargets(runDir).filter((t) => !wanted || wanted.has(t.name));
const processes = new Processes(runDir);

// ---- the run --------------------------------------------------------------------------------------------
const startedAt = new Date();
const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();

log(`fake vendor on CPU ${LOAD_CPU}, proxies on CPU ${PROXY_CPU}; ${ROUNDS} round(s) of ${SECONDS}s runs${quick ? ' (quick)' : ''}`);
const vendor = processes.startVendor(CHUNKS, SLOW_INTERVAL_MS);
await waitReady(targets[0], vendor, runDir);

for (const t of targets.filter((x) => x.command)) {
  const child = processes.start(t.name, PROXY_CPU, t.command, t.env);
  t.pid = child.pid;
  await waitReady(t, child, runDir);
  await sleep(2000);
  t.rssIdleMiB = rssMiB(t.pid);
  log(`${t.name} ready (pid ${t.pid}, idle RSS ${t.rssIdleMiB.toFixed(1)} MiB)`);
}

// A streamed answer must carry exactly the vendor's events: CHUNKS chunks, the usage chunk and [DONE].
const vendorEvents = CHUNKS + 2;

log(`warm-up (${WARMUP_SECONDS}s per proxy, discarded)`);
for (const t of targets.filter((x) => x.pid)) {
  await wrk(t, 32, WARMUP_SECONDS);
  await streams(t, 8, WARMUP_SECONDS);
}

const rounds = [];
for (let r = 1; r <= ROUNDS; r++) {
  const round = {};
  for (const t of targets) {
    const m = {};
    m.nonStream1 = await observed(t, () => wrk(t, 1, SECONDS));
    m.nonStream32 = await observed(t, () => wrk(t, 32, SECONDS));
    m.stream1 = await observed(t, () => streams(t, 1, SECONDS));
    m.stream32 = await observed(t, () => streams(t, 32, SECONDS));
    round[t.name] = m;
    log(`round ${r} ${t.name}: ${m.nonStream1.rps.toFixed(0)} req/s @1 (p50 ${m.nonStream1.p50.toFixed(3)} ms), ${m.nonStream32.rps.toFixed(0)} req/s @32, `
      + `stream ttfe p50 ${m.stream1.ttfeP50} ms @1, ${m.stream32.streamsPerSecond} streams/s @32`);
  }
  rounds.push(round);
}

log(`${OPEN_STREAMS} concurrent open streams per proxy (slow vendor, ~${(CHUNKS * SLOW_INTERVAL_MS / 1000).toFixed(0)} s each)`);
const open = {};
for (const t of targets.filter((x) => x.pid)) {
  open[t.name] = await openStreams(t, OPEN_STREAMS);
  log(`${t.name}: all open=${open[t.name].allOpen} in ${open[t.name].openedWithinMs} ms, RSS ${open[t.name].rssMiBWhileOpen} MiB, errors ${open[t.name].errors}`);
}
for (const t of targets.filter((x) => x.pid)) t.rssAfterMiB = rssMiB(t.pid);
const loadAfter = readFileSync('/proc/loadavg', 'utf8').trim();

// ---- figures --------------------------------------------------------------------------------------------
const median = (xs) => { const s = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b); if (!s.length) return null; const m = Math.floor(s.length / 2); return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const spread = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), rounds: xs });
const per = (name, key, field) => rounds.map((rd) => rd[name][key][field]);
const added = (name, key, field) => rounds.map((rd) => rd[name][key][field] - rd.direct[key][field]);

const summary = {};
for (const t of targets) {
  const s = { description: t.description };
  for (const c of [1, 32]) {
    const k = `nonStream${c}`;
    s[k] = {
      rps: spread(per(t.name, k, 'rps')), p50: spread(per(t.name, k, 'p50')), p90: spread(per(t.name, k, 'p90')), p99: spread(per(t.name, k, 'p99')),
      addedP50: spread(added(t.name, k, 'p50')), addedP99: spread(added(t.name, k, 'p99')),
      errors: per(t.name, k, 'errors').reduce((a, b) => a + b, 0), requests: per(t.name, k, 'requests').reduce((a, b) => a + b, 0),
    };
    const sk = `stream${c}`;
    const eventCounts = {};
    for (const rd of rounds) for (const [n, count] of Object.entries(rd[t.name][sk].eventsPerRequest)) eventCounts[n] = (eventCounts[n] ?? 0) + count;
    s[sk] = {
      streamsPerSecond: spread(per(t.name, sk, 'streamsPerSecond')),
      ttfeP50: spread(per(t.name, sk, 'ttfeP50')), ttfeP99: spread(per(t.name, sk, 'ttfeP99')),
      totalP50: spread(per(t.name, sk, 'totalP50')), totalP99: spread(per(t.name, sk, 'totalP99')),
      addedTtfeP50: spread(added(t.name, sk, 'ttfeP50')), addedTtfeP99: spread(added(t.name, sk, 'ttfeP99')),
      errors: per(t.name, sk, 'errors').reduce((a, b) => a + b, 0), requests: per(t.name, sk, 'requests').reduce((a, b) => a + b, 0),
      eventsPerRequest: eventCounts, eventsAsVendor: Object.keys(eventCounts).every((n) => Number(n) === vendorEvents),
    };
  }
  if (t.pid) {
    s.memory = {
      rssIdleMiB: t.rssIdleMiB,
      rssUnderLoadMiB: Math.max(...rounds.flatMap((rd) => [rd[t.name].nonStream32.rssMaxMiB, rd[t.name].stream32.rssMaxMiB])),
      rssOpenStreamsMiB: open[t.name].rssMiBWhileOpen, openStreams: open[t.name], rssAfterRunMiB: t.rssAfterMiB,
    };
    s.cpuSecondsPer1000 = {
      nonStream32: spread(rounds.map((rd) => rd[t.name].nonStream32.cpuSeconds / rd[t.name].nonStream32.requests * 1000)),
      nonStream1: spread(rounds.map((rd) => rd[t.name].nonStream1.cpuSeconds / rd[t.name].nonStream1.requests * 1000)),
      stream32: spread(rounds.map((rd) => rd[t.name].stream32.cpuSeconds / rd[t.name].stream32.requests * 1000)),
    };
  }
  summary[t.name] = s;
}

const runtimeConfig = (dll) => { try { return JSON.parse(readFileSync(dll.replace(/\.dll$/, '.runtimeconfig.json'), 'utf8')).runtimeOptions.configProperties ?? {}; } catch { return {}; } };
const environment = {
  startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), quick, rounds: ROUNDS, secondsPerRun: SECONDS,
  openStreams: OPEN_STREAMS, vendorChunks: CHUNKS, vendorEventsPerStream: vendorEvents, slowIntervalMs: SLOW_INTERVAL_MS,
  cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, kernel: os.release(), node: process.version,
  dotnet: execFileSync('dotnet', ['--version']).toString().trim(),
  wrk: execFileSync('sh', ['-c', 'wrk -v 2>&1 | head -1']).toString().trim(),
  pinning: `load generator (wrk -t1, node stream client) and fake vendor on CPU ${LOAD_CPU}; each proxy alone on CPU ${PROXY_CPU}`,
  dotnetRuntimeConfig: { llmproxy: runtimeConfig(llmproxyDll), yarp: runtimeConfig(yarpDll) },
  dotnetNote: 'Pinned to one CPU the runtime sees ProcessorCount=1: workstation GC and a one-thread minimum pool, whatever the runtimeconfig asks for.',
  loadavgBefore: loadBefore, loadavgAfter: loadAfter,
  settings: Object.fromEntries(targets.map((t) => [t.name, { env: Object.fromEntries(Object.entries(t.env ?? {}).filter(([k]) => !/ApiKey/i.test(k))), headers: Object.keys(t.headers) }])),
};

mkdirSync(opts.out, { recursive: true });
const stamp = startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19);
const json = { environment, targets: summary, rounds, openStreams: open };
writeFileSync(join(opts.out, 'results.json'), JSON.stringify(json, null, 2));
const history = join(opts.out, 'history');
mkdirSync(history, { recursive: true });
writeFileSync(join(history, `results-${stamp}.json`), JSON.stringify(json, null, 2));
const md = renderMarkdown(json);
writeFileSync(join(opts.out, 'results.md'), md);
writeFileSync(join(history, `results-${stamp}.md`), md);
console.log('\n' + md);
log(`wrote ${join(opts.out, 'results.md')} and results.json`);
processes.stopAll();
await sleep(500);
process.exit(0);
