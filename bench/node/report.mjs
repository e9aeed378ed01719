// Renders bench results (the object run.mjs writes to results.json) as markdown tables, with the goals of
// issue 7 checked against the "llmproxy-full" row. Also runnable alone: node report.mjs results.json
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const f = (x, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits));
const int = (x) => (x === null || x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
// "median [min–max]" over the rounds; a single round prints just the figure.
const spread = (s, fmt = f) => (s.rounds.length > 1 ? `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]` : fmt(s.median));
const MB_150_IN_MIB = 150e6 / 1048576;

export function renderMarkdown({ environment: env, targets }) {
  const names = Object.keys(targets);
  const proxies = names.filter((n) => targets[n].memory);
  const lines = [];
  const table = (header, rows) => {
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
    lines.push('');
  };

  lines.push(`# Benchmark results — ${env.startedAt.slice(0, 16).replace('T', ' ')} UTC${env.quick ? ' (QUICK mode: not for comparison)' : ''}`, '');
  lines.push(`${env.rounds} interleaved round(s) of ${env.secondsPerRun} s per figure; figures are the median over rounds with [min–max] across rounds. `
    + `${env.pinning}. ${env.cpus} CPUs (${env.cpuModel}), .NET SDK ${env.dotnet}, Node ${env.node}, ${env.wrk}. `
    + `Load average before ${env.loadavgBefore.split(' ').slice(0, 3).join(' ')}, after ${env.loadavgAfter.split(' ').slice(0, 3).join(' ')} `
    + '(above ~2 means other work shared the machine: treat the figures as noisy).', '');

  lines.push('## Rows', '');
  table(['row', 'what runs'], names.map((n) => [n, targets[n].description]));

  lines.push('## Non-streaming (wrk, POST /v1/chat/completions)', '');
  table(['row', 'req/s @1', 'p50 ms @1', 'p90 @1', 'p99 @1', 'added p50 @1', 'added p99 @1', 'req/s @32', 'p50 ms @32', 'p90 @32', 'p99 @32', 'errors', 'CPU s / 1k req @32'],
    names.map((n) => {
      const t = targets[n]; const a = t.nonStream1; const b = t.nonStream32;
      return [n, spread(a.rps, int), spread(a.p50, (x) => f(x, 3)), f(a.p90.median, 3), f(a.p99.median, 3),
        n === 'direct' ? '—' : spread(a.addedP50, (x) => f(x, 3)), n === 'direct' ? '—' : f(a.addedP99.median, 3),
        spread(b.rps, int), f(b.p50.median), f(b.p90.median), f(b.p99.median),
        `${a.errors + b.errors} / ${int(a.requests + b.requests)}`, t.cpuSecondsPer1000 ? f(t.cpuSecondsPer1000.nonStream32.median, 3) : '—'];
    }));

  lines.push(`## Streaming (node client; ${env.vendorChunks} chunks + usage chunk + [DONE] = ${env.vendorEventsPerStream} events from the vendor)`, '');
  table(['row', 'first event p50 ms @1', 'p99 @1', 'added first event p50 @1', 'total p50 @1', 'total p99 @1', 'first event p50 @32', 'p99 @32', 'total p50 @32', 'total p99 @32', 'streams/s @32', 'events/stream', 'errors', 'CPU s / 1k streams @32'],
    names.map((n) => {
      const t = targets[n]; const a = t.stream1; const b = t.stream32;
      const events = Object.keys({ ...a.eventsPerRequest, ...b.eventsPerRequest }).join(', ');
      return [n, spread(a.ttfeP50, (x) => f(x, 3)), f(a.ttfeP99.median), n === 'direct' ? '—' : spread(a.addedTtfeP50, (x) => f(x, 3)),
        f(a.totalP50.median, 3), f(a.totalP99.median), f(b.ttfeP50.median), f(b.ttfeP99.median), f(b.totalP50.median), f(b.totalP99.median),
        spread(b.streamsPerSecond, int), `${events}${a.eventsAsVendor && b.eventsAsVendor ? '' : ' (differs from vendor)'}`,
        `${a.errors + b.errors} / ${int(a.requests + b.requests)}`, t.cpuSecondsPer1000 ? f(t.cpuSecondsPer1000.stream32.median, 3) : '—'];
    }));

  lines.push(`## Memory (RSS of the proxy process, MiB)`, '');
  table(['row', 'idle (after start)', 'under load (max @32)', `${env.openStreams} open streams`, 'opened in ms', 'open-stream errors', 'events/stream', 'after the run'],
    proxies.map((n) => {
      const m = targets[n].memory; const o = m.openStreams;
      return [n, f(m.rssIdleMiB, 1), f(m.rssUnderLoadMiB, 1), o.allOpen ? f(m.rssOpenStreamsMiB, 1) : `not all open (${o.firstEvents}/${o.open})`,
        int(o.openedWithinMs), `${o.errors} / ${o.requests}`, Object.keys(o.eventsPerRequest).join(', '), f(m.rssAfterRunMiB, 1)];
    }));

  const full = targets['llmproxy-full'];
  if (full) {
    const yarp = targets.yarp; const portkey = targets.portkey;
    const goal = (name, measured, ok) => [name, measured, ok === null ? 'n/a' : ok ? 'met' : '**missed**'];
    const rows = [
      goal('added p50 @1 conn < 0.3 ms', `${f(full.nonStream1.addedP50.median, 3)} ms`, full.nonStream1.addedP50.median < 0.3),
      goal('added p99 @1 conn < 2 ms', `${f(full.nonStream1.addedP99.median, 3)} ms`, full.nonStream1.addedP99.median < 2),
      goal('req/s @32 >= 1/2 of bare YARP', yarp ? `${int(full.nonStream32.rps.median)} vs ${int(yarp.nonStream32.rps.median)} (${f(full.nonStream32.rps.median / yarp.nonStream32.rps.median)}x)` : '—',
        yarp ? full.nonStream32.rps.median >= yarp.nonStream32.rps.median / 2 : null),
      goal('req/s @32 >= 4x Portkey', portkey ? `${int(full.nonStream32.rps.median)} vs ${int(portkey.nonStream32.rps.median)} (${f(full.nonStream32.rps.median / portkey.nonStream32.rps.median)}x)` : '—',
        portkey ? full.nonStream32.rps.median >= 4 * portkey.nonStream32.rps.median : null),
      goal('first streamed event added < 1 ms (p50 @1)', `${f(full.stream1.addedTtfeP50.median, 3)} ms`, full.stream1.addedTtfeP50.median < 1),
      goal(`${env.openStreams} open streams < 150 MB RSS (= ${f(MB_150_IN_MIB, 1)} MiB)`, full.memory.openStreams.allOpen ? `${f(full.memory.rssOpenStreamsMiB, 1)} MiB` : 'not all opened',
        env.openStreams >= 1000 && full.memory.openStreams.allOpen ? full.memory.rssOpenStreamsMiB < MB_150_IN_MIB : null),
      goal('zero errors', `${full.nonStream1.errors + full.nonStream32.errors + full.stream1.errors + full.stream32.errors + full.memory.openStreams.errors} errors`,
        full.nonStream1.errors + full.nonStream32.errors + full.stream1.errors + full.stream32.errors + full.memory.openStreams.errors === 0),
      goal('streamed events identical to the vendor\'s', full.stream1.eventsAsVendor && full.stream32.eventsAsVendor ? 'yes' : 'no',
        full.stream1.eventsAsVendor && full.stream32.eventsAsVendor),
    ];
    lines.push('## Goals (issue 7), checked on llmproxy-full', '');
    table(['goal', 'measured', 'verdict'], rows);
  }
  lines.push('Settings per row are in results.json (environment.settings). "added" = the row minus direct in the same round, then the median over rounds.', '');
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(renderMarkdown(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
}
