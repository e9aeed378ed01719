import { call, query, type AuditEntry, type QuotaValue, type QuotaView } from './api';
import { h, scroller } from './dom';
import { formats, t } from './i18n';

const describe = (v?: QuotaValue) =>
  v ? `${v.tokenLimit ?? '–'} tokens, ${v.requestsPerMinute ?? '–'}${t.perMinute}, ${v.costLimitUsd === undefined || v.costLimitUsd === null ? '–' : formats.usd(v.costLimitUsd)}` : t.none;

/** A modal dialog to set or clear a tenant's or user's quota override: tokens, money budget and rate limit. */
export async function editQuota(tenantId: string, userId: string | undefined, done: () => void): Promise<void> {
  const path = `api/admin/quotas${query({ tenantId, userId })}`;
  const view = await call<QuotaView>(path);
  const tokens = h('input', { id: 'quota-tokens', type: 'number', min: 0, inputmode: 'numeric', value: view.override?.tokenLimit ?? '' });
  const rpm = h('input', { id: 'quota-rpm', type: 'number', min: 0, inputmode: 'numeric', value: view.override?.requestsPerMinute ?? '' });
  const cost = h('input', { id: 'quota-cost', type: 'number', min: 0, step: 'any', inputmode: 'decimal', value: view.override?.costLimitUsd ?? '' });
  const message = h('p', { role: 'status', className: 'message' });
  const dialog = h('dialog', { 'aria-labelledby': 'quota-title', className: 'quota-dialog' });
  const number = (input: HTMLInputElement) => (input.value.trim() === '' ? null : Number(input.value));
  const send = async (value: QuotaValue) => {
    try {
      await call<QuotaView>(path, { method: 'PUT', body: JSON.stringify(value) });
      dialog.close();
      done();
    } catch (e) {
      message.textContent = `${t.error}: ${(e as Error).message}`;
    }
  };
  dialog.append(
    h('form', { method: 'dialog', onsubmit: (e: Event) => { e.preventDefault(); void send({ tokenLimit: number(tokens), requestsPerMinute: number(rpm), costLimitUsd: number(cost) }); } },
      h('h2', { id: 'quota-title' }, `${t.editQuotaFor} ${userId ? `${tenantId} / ${userId}` : tenantId}`),
      h('p', {}, `${t.quota}: ${view.effective.tokenLimit ?? t.unlimited} · ${t.budget}: ${view.effective.costLimitUsd ? formats.usd(view.effective.costLimitUsd) : t.unlimited} · ${t.rateLimit}: ${view.effective.requestsPerMinute ?? t.unlimited}`),
      h('label', { for: 'quota-tokens' }, t.tokenLimit), tokens,
      h('label', { for: 'quota-cost' }, t.costLimit), cost,
      h('label', { for: 'quota-rpm' }, t.rpmLimit), rpm,
      message,
      h('div', { className: 'buttons' },
        h('button', { type: 'submit', className: 'primary' }, t.save),
        h('button', { type: 'button', onclick: () => void send({ tokenLimit: null, requestsPerMinute: null, costLimitUsd: null }) }, t.clearOverride),
        h('button', { type: 'button', onclick: () => dialog.close() }, t.cancel))));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  tokens.focus();
}

/** The newest quota changes (of one tenant, or of all). */
export async function auditTrail(tenantId?: string): Promise<HTMLElement> {
  const entries = await call<AuditEntry[]>(`api/admin/quotas/audit${query({ tenantId, limit: '50' })}`);
  return h('section', { className: 'card', id: 'audit' },
    h('h2', {}, t.audit),
    entries.length === 0 ? h('p', {}, t.noData) : scroller(h('table', {},
      h('thead', {}, h('tr', {}, [t.when, t.who, t.scope, t.oldValue, t.newValue].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, entries.map((e) => h('tr', {},
        h('td', {}, formats.time(e.at)), h('td', {}, e.actor), h('td', {}, e.userId ? `${e.tenantId} / ${e.userId}` : e.tenantId),
        h('td', {}, describe(e.oldValue)), h('td', {}, describe(e.newValue)))))), t.audit));
}
