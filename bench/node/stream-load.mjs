// Streaming load client for the benchmark, loopback only. Two modes:
//   loop  (default): CONNECTIONS keep-alive loops post streaming requests for DURATION seconds (and at most
//         MAX-REQUESTS in all); per request it times the first `data:` event and the end, and counts events.
//   open: opens OPEN streams at once (a slow vendor keeps them open), waits until every one has its first
//         event, samples the RSS of --rss-pid while they are all open, then waits for them to end.
// Prints one JSON object on stdout. Every wait is bounded.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    body: { type: 'string' },                      // JSON body (string)
    headers: { type: 'string', default: '{}' },    // JSON object of extra headers
    connections: { type: 'string', default: '1' },
    duration: { type: 'string', default: '5' },
    'max-requests': { type: 'string', default: '200000' },
    open: { type: 'string' },
    'rss-pid': { type: 'string' },
    'open-timeout': { type: 'string', default: '60' },
    'timeout': { type: 'string', default: '30' },  // per request, seconds
  },
});
const url = new URL(opts.url);
const body = Buffer.from(opts.body);
const headers = { 'content-type': 'application/json', 'content-length': body.length, accept: 'text/event-stream', ...JSON.parse(opts.headers) };
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const now = () => Number(process.hrtime.bigint()) / 1e6;

// One streaming request. Resolves {ok, status, ttfe, total, events, error}; onFirst fires at the first event.
function streamOnce(onFirst) {
  return new Promise((resolve) => {
    const start = now();
    let ttfe = null, events = 0, pending = '', settled = false;
    const finish = (r) => { if (!settled) { settled = true; clearTimeout(timer); resolve(r); } };
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', () => finish({ ok: false, status: res.statusCode, error: `HTTP ${res.statusCode}` }));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (text) => {
        pending += text;
        let nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (!line.startsWith('data:')) continue;
          events++;
          if (ttfe === null) { ttfe = now() - start; onFirst?.(); }
        }
      });
      res.on('end', () => finish({ ok: true, status: 200, ttfe, total: now() - start, events }));
      res.on('error', (e) => finish({ ok: false, status: 200, error: String(e) }));
    });
    const timer = setTimeout(() => { req.destroy(new Error('request timeout')); }, Number(opts.timeout) * 1000);
    req.on('error', (e) => finish({ ok: false, status: 0, error: String(e) }));
    req.end(body);
  });
}

const pct = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))] : null;
const round3 = (x) => x === null ? null : Math.round(x * 1000) / 1000;
function summarize(results, seconds) {
  const ok = results.filter((r) => r.ok);
  const ttfe = ok.map((r) => r.ttfe ?? r.total).sort((a, b) => a - b);
  const total = ok.map((r) => r.total).sort((a, b) => a - b);
  const eventCounts = {};
  for (const r of ok) eventCounts[r.events] = (eventCounts[r.events] ?? 0) + 1;
  const errors = {};
  for (const r of results.filter((r) => !r.ok)) errors[r.error] = (errors[r.error] ?? 0) + 1;
  return {
    requests: results.length, ok: ok.length, errors: results.length - ok.length, errorKinds: errors,
    seconds: round3(seconds), streamsPerSecond: round3(ok.length / seconds),
    ttfeMs: { p50: round3(pct(ttfe, 50)), p90: round3(pct(ttfe, 90)), p99: round3(pct(ttfe, 99)) },
    totalMs: { p50: round3(pct(total, 50)), p90: round3(pct(total, 90)), p99: round3(pct(total, 99)) },
    eventsPerRequest: eventCounts,
  };
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function loop() {
  const deadline = now() + Number(opts.duration) * 1000;
  const maxRequests = Number(opts['max-requests']);
  const results = [];
  let started = 0;
  const start = now();
  const worker = async () => {
    while (now() < deadline && started < maxRequests) {
      started++;
      results.push(await streamOnce());
    }
  };
  await Promise.all(Array.from({ length: Number(opts.connections) }, worker));
  return summarize(results, (now() - start) / 1000);
}

async function open() {
  const count = Number(opts.open);
  let firsts = 0;
  let allOpen;
  const allOpenSignal = new Promise((r) => { allOpen = r; });
  const start = now();
  let ended = 0;
  const requests = Array.from({ length: count }, () => streamOnce(() => { if (++firsts === count) allOpen(); }).then((r) => { ended++; return r; }));
  const timeout = new Promise((r) => setTimeout(() => r('timeout'), Number(opts['open-timeout']) * 1000));
  const opened = await Promise.race([allOpenSignal.then(() => 'open'), timeout, Promise.all(requests).then(() => 'ended')]);
  const openMs = now() - start;
  const samples = [];
  if (opened === 'open' && opts['rss-pid']) {
    for (let i = 0; i < 5; i++) {
      samples.push(rssMiB(opts['rss-pid']));
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const endedBySampleEnd = ended;
  const results = await Promise.all(requests);
  return {
    ...summarize(results, (now() - start) / 1000),
    open: count, allOpen: opened === 'open', openedWithinMs: round3(openMs), firstEvents: firsts,
    endedBeforeSamplingDone: endedBySampleEnd, rssMiBWhileOpen: samples.length ? round3(Math.max(...samples)) : null,
  };
}

const result = opts.open ? await open() : await loop();
console.log(JSON.stringify(result));
agent.destroy();
process.exit(0);
