import { call, query, type Overview, type ScopeRow, type ScopeTable } from './api';
import { h, scroller } from './dom';
import { formats, t } from './i18n';
import { auditTrail, editQuota } from './quota';
import { renderOverview, type OverviewState } from './overview';

type SortKey = 'tenantId' | 'userId' | 'tokenLimit' | 'used' | 'reserved' | 'remaining' | 'requestsPerMinute' | 'costUsedUsd' | 'lastActivity';
const sort: { key: SortKey; descending: boolean } = { key: 'tenantId', descending: false };
let search = '';

/** Every tenant and user with usage in the range: quota, used, reserved, remaining, rate limit, money spent of its budget, last activity. */
export async function renderScopes(target: HTMLElement, state: OverviewState, rerender: () => void, tenantId?: string): Promise<void> {
  const table = await call<ScopeTable>(`api/admin/scopes${query({ tenantId, from: state.range.from, to: state.range.to })}`);
  const body = h('tbody');
  const headers = h('tr');
  const fill = () => {
    const needle = search.trim().toLowerCase();
    const rows = table.scopes
      .filter((s) => !needle || s.tenantId.toLowerCase().includes(needle) || (s.userId ?? '').toLowerCase().includes(needle))
      .sort(compare);
    body.replaceChildren(...rows.map((s) => row(s, rerender, !tenantId)));
    for (const th of headers.querySelectorAll<HTMLElement>('th[data-key]'))
      th.setAttribute('aria-sort', th.dataset.key === sort.key ? (sort.descending ? 'descending' : 'ascending') : 'none');
  };
  const numeric: SortKey[] = ['tokenLimit', 'used', 'reserved', 'requestsPerMinute', 'costUsedUsd'];
  const column = (key: SortKey, label: string) => h('th', { scope: 'col', 'data-key': key, className: numeric.includes(key) ? 'num' : undefined },
    h('button', { type: 'button', className: 'sort', onclick: () => {
      sort.descending = sort.key === key ? !sort.descending : false;
      sort.key = key;
      fill();
    } }, label));
  headers.append(column('tenantId', t.tenant), column('userId', t.user), column('tokenLimit', t.quota), column('used', t.used),
    column('reserved', t.reserved), column('remaining', t.remaining), column('requestsPerMinute', t.rateLimit),
    column('costUsedUsd', `${t.spent} / ${t.budget}`), column('lastActivity', t.lastActivity), h('th', { scope: 'col' }, h('span', { className: 'visually-hidden' }, t.edit)));
  const searchInput = h('input', { type: 'search', id: 'scope-search', value: search, oninput: (e: Event) => { search = (e.target as HTMLInputElement).value; fill(); } });
  target.append(h('section', { className: 'card', id: 'scopes' },
    h('h2', {}, `${t.scopes} · ${t.period}: ${table.periodStart.slice(0, 10)} – ${table.periodEnd.slice(0, 10)}`),
    h('label', { for: 'scope-search', className: 'inline' }, t.search, ' ', searchInput),
    table.scopes.length === 0 ? h('p', {}, t.noData) : scroller(h('table', { className: 'scopes' }, h('thead', {}, headers), body), t.scopes)));
  fill();
}

function compare(a: ScopeRow, b: ScopeRow): number {
  const value = (s: ScopeRow): string | number => {
    const v = s[sort.key];
    if (sort.key === 'tokenLimit' || sort.key === 'remaining' || sort.key === 'requestsPerMinute') return (v as number | undefined) ?? Number.MAX_SAFE_INTEGER;
    return v ?? '';
  };
  const [x, y] = [value(a), value(b)];
  const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
  // Tenant rows stay above their users when sorting by tenant.
  const tie = order !== 0 ? order : (a.userId ?? '').localeCompare(b.userId ?? '');
  return sort.descending ? -tie : tie;
}

function row(s: ScopeRow, rerender: () => void, linkTenant: boolean): HTMLTableRowElement {
  const limit = s.tokenLimit;
  const bar = limit
    ? h('meter', { min: 0, max: limit, low: limit * 0.7, high: limit * 0.9, optimum: 0, value: s.used + s.reserved,
        'aria-label': `${t.remaining} ${s.remaining}` })
    : null;
  const scope = s.userId ? `${s.tenantId} / ${s.userId}` : s.tenantId;
  return h('tr', { 'data-scope': scope },
    h('td', {}, linkTenant ? h('a', { href: `#tenant/${encodeURIComponent(s.tenantId)}` }, s.tenantId) : s.tenantId),
    h('td', {}, s.userId ?? '—'),
    h('td', { className: 'num' }, limit ? formats.number(limit) : t.unlimited, s.overridden ? h('span', { className: 'badge' }, t.overridden) : null),
    h('td', { className: 'num' }, formats.number(s.used)),
    h('td', { className: 'num' }, formats.number(s.reserved)),
    h('td', { className: 'remaining' }, s.remaining === undefined || s.remaining === null ? t.unlimited : formats.number(s.remaining), bar),
    h('td', { className: 'num' }, s.requestsPerMinute ? `${s.requestsPerMinute}${t.perMinute}` : t.unlimited),
    h('td', { className: 'num' }, `${formats.usd(s.costUsedUsd)} / ${s.costLimitUsd ? formats.usd(s.costLimitUsd) : t.unlimited}`),
    h('td', {}, formats.time(s.lastActivity)),
    h('td', {}, h('button', { type: 'button', 'aria-label': `${t.edit}: ${scope}`, onclick: () => void editQuota(s.tenantId, s.userId, rerender) }, t.edit)));
}

/** One tenant: its overview, users, models, daily usage and quota changes. */
export async function renderTenant(target: HTMLElement, tenantId: string, state: OverviewState, rerender: () => void): Promise<void> {
  target.append(h('p', {}, h('a', { href: '#scopes' }, `← ${t.back}`)),
    h('h1', {}, `${t.tenantTitle}: ${tenantId}`),
    h('button', { type: 'button', onclick: () => void editQuota(tenantId, undefined, rerender) }, t.edit));
  const holder = h('div');
  target.append(holder);
  const overview: Overview = await renderOverview(holder, state, rerender, tenantId);
  const cell = (text: string | number, num = false) => h('td', { className: num ? 'num' : undefined }, typeof text === 'number' ? formats.number(text) : text);
  const head = (...cols: string[]) => h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c))));
  await renderScopes(target, state, rerender, tenantId);
  target.append(
    h('section', { className: 'card', id: 'models' }, h('h2', {}, t.models), scroller(h('table', {},
      head(t.vendor, t.model, t.requestsCount, t.tokens, t.cost),
      h('tbody', {}, overview.models.map((m) => h('tr', {}, cell(m.provider), cell(m.model), cell(m.requests, true), cell(m.tokens, true),
        h('td', { className: 'num' }, formats.usd(m.costUsd)))))), t.models)),
    h('section', { className: 'card', id: 'daily' }, h('h2', {}, t.daily), scroller(h('table', {},
      head(t.when, t.requestsCount, t.tokens),
      h('tbody', {}, overview.series.days.map((d, i) => h('tr', {}, cell(d),
        cell(overview.series.lines.reduce((n, l) => n + l.requests[i], 0), true),
        cell(overview.series.lines.reduce((n, l) => n + l.tokens[i], 0), true))))), t.daily)),
    await auditTrail(tenantId));
}
