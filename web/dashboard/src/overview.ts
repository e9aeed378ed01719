import type { Chart } from 'chart.js';
import { call, query, type Overview, type Ranking } from './api';
import { usageChart } from './chart';
import { h, scroller } from './dom';
import { formats, t } from './i18n';
import { rangePicker, type Range } from './range';

export interface OverviewState { range: Range; split: 'vendor' | 'model'; metric: 'tokens' | 'requests' }

let chart: Chart | undefined;

/** The figures of a range: totals, the chart over time, top tenants and users (of one tenant when given). */
export async function renderOverview(target: HTMLElement, state: OverviewState, rerender: () => void, tenantId?: string): Promise<Overview> {
  const overview = await call<Overview>(`api/admin/overview${query({ tenantId, from: state.range.from, to: state.range.to, split: state.split })}`);
  const totals = overview.totals;
  const metric = (id: string, label: string, value: string) =>
    h('div', { className: 'metric' }, h('span', { className: 'label', id: `label-${id}` }, label),
      h('strong', { 'data-metric': id, 'aria-labelledby': `label-${id}` }, value));

  const select = <T extends string>(id: string, label: string, value: T, options: [T, string][], set: (v: T) => void) =>
    h('label', { for: id, className: 'inline' }, label, ' ',
      h('select', { id, onchange: (e: Event) => { set((e.target as HTMLSelectElement).value as T); rerender(); } },
        options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));

  const canvas = h('canvas', { role: 'img', 'aria-label': `${t.chartLabel}: ${state.metric === 'tokens' ? t.tokens : t.requestsCount}` });
  chart?.destroy();
  target.replaceChildren(
    h('div', { className: 'toolbar' },
      rangePicker(state.range, (range) => { state.range = range; rerender(); }),
      select('split', t.splitBy, state.split, [['vendor', t.vendor], ['model', t.model]], (v) => { state.split = v; }),
      select('metric', t.show, state.metric, [['tokens', t.tokens], ['requests', t.requestsCount]], (v) => { state.metric = v; })),
    h('section', { className: 'metrics', 'aria-label': t.overview },
      metric('requests', t.requestsCount, formats.number(totals.requests)),
      metric('tokens-in', t.tokensIn, formats.number(totals.promptTokens)),
      metric('tokens-out', t.tokensOut, formats.number(totals.completionTokens)),
      metric('cost', t.cost, formats.usd(totals.costUsd)),
      metric('cache-hit', t.cacheHit, formats.percent(totals.cacheHitRatio)),
      metric('error-rate', t.errorRate, formats.percent(totals.errorRate)),
      metric('p50', t.p50, formats.ms(totals.p50LatencyMs)),
      metric('p95', t.p95, formats.ms(totals.p95LatencyMs))),
    h('section', { className: 'card' }, h('h2', {}, t.chartLabel), h('div', { className: 'chart' }, canvas)),
    h('div', { className: 'columns' },
      tenantId ? null : ranking(t.topTenants, overview.topTenants, false),
      ranking(t.topUsers, overview.topUsers, true)));
  chart = usageChart(canvas, overview, state.metric);
  return overview;
}

function ranking(title: string, rows: Ranking[], users: boolean): HTMLElement {
  const id = users ? 'top-users' : 'top-tenants';
  return h('section', { className: 'card', id },
    h('h2', {}, title),
    rows.length === 0 ? h('p', {}, t.noData) : scroller(h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.tenant), users ? h('th', { scope: 'col' }, t.user) : null,
        [t.requestsCount, t.tokens, t.cost].map((c) => h('th', { scope: 'col', className: 'num' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('td', {}, h('a', { href: `#tenant/${encodeURIComponent(r.tenantId)}` }, r.tenantId)),
        users ? h('td', {}, r.userId ?? '') : null,
        h('td', { className: 'num' }, formats.number(r.requests)), h('td', { className: 'num' }, formats.number(r.tokens)),
        h('td', { className: 'num' }, formats.usd(r.costUsd)))))), title));
}
