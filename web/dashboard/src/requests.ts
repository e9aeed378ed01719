import { call, query, type LogEntry } from './api';
import { h, scroller } from './dom';
import { formats, t } from './i18n';

const filters: Record<string, string> = { tenantId: '', userId: '', provider: '', model: '', status: '', cached: '' };

/** Recent requests with filters, CSV export of the filtered rows, and each request's stored bodies. */
export async function renderRequests(target: HTMLElement): Promise<void> {
  const body = h('tbody');
  const exportLink = h('a', { className: 'button', id: 'export-csv', download: 'requests.csv' }, t.exportCsv);
  const text = (name: string, label: string) => h('div', { className: 'field' },
    h('label', { for: `filter-${name}` }, label),
    h('input', { id: `filter-${name}`, name, value: filters[name], autocomplete: 'off' }));
  const choice = (name: string, label: string, options: [string, string][]) => h('div', { className: 'field' },
    h('label', { for: `filter-${name}` }, label),
    h('select', { id: `filter-${name}`, name }, options.map(([v, l]) => h('option', { value: v, selected: filters[name] === v }, l))));
  const load = async () => {
    const q = query({ ...filters, limit: '200' });
    exportLink.setAttribute('href', `api/admin/requests.csv${q}`);
    const entries = await call<LogEntry[]>(`api/admin/requests${q}`);
    body.replaceChildren(...(entries.length === 0
      ? [h('tr', {}, h('td', { colspan: 10 }, t.noData))]
      : entries.map((e) => h('tr', { 'data-id': e.id },
        h('td', {}, formats.time(e.timestamp)), h('td', {}, e.tenantId), h('td', {}, e.userId), h('td', {}, e.provider),
        h('td', {}, e.model), h('td', {}, `${e.status} (${e.httpStatus})`), h('td', {}, e.cached ? t.yes : t.no),
        h('td', { className: 'num' }, `${formats.number(e.promptTokens)} / ${formats.number(e.completionTokens)}`),
        h('td', { className: 'num' }, formats.ms(e.latencyMs)),
        h('td', { className: 'num' }, cost(e)),
        h('td', {}, h('button', { type: 'button', 'aria-label': `${t.open}: ${e.id}`, onclick: () => void openEntry(e.id) }, t.open))))));
  };
  const form = h('form', { className: 'filters', 'aria-label': t.filter, onsubmit: (e: Event) => {
    e.preventDefault();
    for (const [name, value] of new FormData(form)) filters[name] = String(value).trim();
    void load();
  } },
    text('tenantId', t.tenant), text('userId', t.user), text('provider', t.provider), text('model', t.model),
    choice('status', t.status, [['', t.any], ['ok', 'ok'], ['vendor_error', 'vendor_error'], ['client_closed', 'client_closed'], ['error', 'error']]),
    choice('cached', t.cached, [['', t.any], ['true', t.yes], ['false', t.no]]),
    h('div', { className: 'buttons' }, h('button', { type: 'submit', className: 'primary' }, t.filter), exportLink));
  target.append(h('section', { className: 'card' }, h('h2', {}, t.requests), form,
    scroller(h('table', { id: 'request-log' },
      h('thead', {}, h('tr', {}, [t.time, t.tenant, t.user, t.provider, t.model, t.status, t.cached, t.tokens, t.latency, t.cost, t.details]
        .map((c) => h('th', { scope: 'col' }, c)))), body), t.requests)));
  await load();
}

/** The call's cost at the price book's prices; a dash for an unpriced model (unknown, not zero). */
const cost = (e: LogEntry) => (e.costUsd === undefined || e.costUsd === null ? '–' : formats.usd(e.costUsd));

async function openEntry(id: string): Promise<void> {
  const e = await call<LogEntry>(`api/admin/requests/${encodeURIComponent(id)}`);
  const pretty = (text?: string) => {
    if (text === undefined || text === null) return t.notStored;
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  };
  const fact = (label: string, value: string) => [h('dt', {}, label), h('dd', {}, value)];
  const dialog = h('dialog', { 'aria-labelledby': 'entry-title', className: 'entry-dialog' },
    h('h2', { id: 'entry-title' }, `${t.details}: ${e.id}`),
    h('dl', {}, fact(t.time, formats.time(e.timestamp)), fact(t.tenant, e.tenantId), fact(t.user, e.userId), fact(t.provider, e.provider),
      fact(t.model, e.model), fact(t.status, `${e.status} (${e.httpStatus})`), fact(t.cached, e.cached ? t.yes : t.no), fact(t.latency, formats.ms(e.latencyMs)),
      fact(t.tokens, `${formats.number(e.promptTokens)} / ${formats.number(e.completionTokens)}`),
      fact(t.tokenParts, `${formats.number(e.cachedPromptTokens)} / ${formats.number(e.cacheWriteTokens)} / ${formats.number(e.reasoningTokens)}`),
      fact(t.cost, cost(e)),
      e.error ? fact(t.error, e.error) : null),
    e.bodiesTruncated ? h('p', {}, t.truncated) : null,
    h('h3', {}, t.requestBody), h('pre', { id: 'entry-request', tabindex: 0 }, pretty(e.requestBody)),
    h('h3', {}, t.responseBody), h('pre', { id: 'entry-response', tabindex: 0 }, pretty(e.responseBody)),
    h('form', { method: 'dialog' }, h('button', { type: 'submit', className: 'primary' }, t.close)));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
