import { h } from './dom';
import { t } from './i18n';

export type RangeKind = 'today' | '7d' | '30d' | 'custom';
export interface Range { kind: RangeKind; from: string; to: string }

const day = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Whole UTC days, today included, as the usage rows are per UTC day. */
export function rangeOf(kind: RangeKind, customFrom?: string, customTo?: string): Range {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  if (kind === 'custom' && customFrom && customTo) {
    return { kind, from: `${customFrom}T00:00:00Z`, to: `${isoDay(Date.parse(`${customTo}T00:00:00Z`) + day)}T00:00:00Z` };
  }
  const days = kind === '7d' ? 7 : kind === '30d' ? 30 : 1;
  return { kind: kind === 'custom' ? 'today' : kind, from: `${isoDay(today - (days - 1) * day)}T00:00:00Z`, to: `${isoDay(today + day)}T00:00:00Z` };
}

/** Today / 7 days / 30 days / custom, as a group of toggle buttons; custom opens two date fields. */
export function rangePicker(current: Range, changed: (range: Range) => void): HTMLElement {
  const fromInput = h('input', { type: 'date', id: 'range-from', value: current.from.slice(0, 10) });
  const toInput = h('input', { type: 'date', id: 'range-to', value: isoDay(Date.parse(current.to) - day) });
  const custom = h('form', { className: 'custom-range', hidden: current.kind !== 'custom',
    onsubmit: (e: Event) => { e.preventDefault(); changed(rangeOf('custom', fromInput.value, toInput.value)); } },
    h('label', { for: 'range-from' }, t.from), fromInput, h('label', { for: 'range-to' }, t.to), toInput,
    h('button', { type: 'submit' }, t.apply));
  const button = (kind: RangeKind, label: string) => h('button', {
    type: 'button', 'aria-pressed': String(current.kind === kind), 'data-range': kind,
    onclick: () => (kind === 'custom' ? (custom.hidden = false, fromInput.focus()) : changed(rangeOf(kind))),
  }, label);
  return h('div', { className: 'range' },
    h('div', { role: 'group', 'aria-label': t.range, className: 'toggles' },
      button('today', t.today), button('7d', t.days7), button('30d', t.days30), button('custom', t.custom)),
    custom);
}
