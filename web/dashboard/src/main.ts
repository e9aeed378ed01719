import './dashboard.css';
import { ApiError, call, setCsrf, whenSignedOut } from './api';
import { clear, h } from './dom';
import { initialLanguage, language, setLanguage, t } from './i18n';
import { renderOverview, type OverviewState } from './overview';
import { auditTrail } from './quota';
import { rangeOf, rangePicker } from './range';
import { renderRequests } from './requests';
import { renderScopes, renderTenant } from './scopes';

interface SessionInfo { csrfToken: string; expiresAt: string }

const app = document.getElementById('app')!;
const state: OverviewState = { range: rangeOf('7d'), split: 'vendor', metric: 'tokens' };
let notice = '';

setLanguage(initialLanguage(), false);
whenSignedOut(() => {
  notice = t.sessionEnded;
  showSignIn();
});
window.addEventListener('hashchange', () => void render());
void start();

async function start(): Promise<void> {
  const session = await call<SessionInfo | undefined>('usage/session');
  if (!session) {
    showSignIn();
    return;
  }
  setCsrf(session.csrfToken);
  await render();
}

function showSignIn(): void {
  const key = h('input', { id: 'admin-key', name: 'key', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { role: 'alert', className: 'message', id: 'sign-in-message' }, notice);
  const form = h('form', { className: 'card sign-in', method: 'post', action: 'usage/login', onsubmit: async (e: Event) => {
    e.preventDefault();
    const response = await fetch('usage/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: key.value }), credentials: 'same-origin' });
    if (!response.ok) {
      message.textContent = await signInRefusal(response);
      key.select();
      return;
    }
    key.value = '';
    notice = '';
    setCsrf(((await response.json()) as SessionInfo).csrfToken);
    await render();
  } },
    h('h1', {}, t.signInTitle),
    h('label', { for: 'admin-key' }, t.adminKey), key,
    message,
    h('button', { type: 'submit', className: 'primary' }, t.signIn));
  clear(app, h('header', { className: 'top' }, h('span', { className: 'brand' }, t.title), languageButton(showSignIn)), h('main', {}, form));
  key.focus();
}

/** Why the server refused the sign-in: a wrong key, the admin API switched off (no key set), or what the server said. */
async function signInRefusal(response: Response): Promise<string> {
  if (response.status === 401) return t.wrongKey;
  const body = (await response.json().catch(() => undefined)) as { error?: { type?: string; message?: string } } | undefined;
  if (response.status === 403 && body?.error?.type === 'permission_denied') return t.adminOff;
  return body?.error?.message ?? `${t.error}: HTTP ${response.status}`;
}

function languageButton(again: () => void): HTMLButtonElement {
  return h('button', { type: 'button', id: 'language', lang: language === 'en' ? 'es' : 'en', 'aria-label': t.languageLabel,
    onclick: () => { setLanguage(language === 'en' ? 'es' : 'en', true); again(); } }, t.language);
}

async function render(): Promise<void> {
  const route = location.hash.slice(1) || 'overview';
  const section = route.startsWith('tenant/') ? 'scopes' : route;
  const link = (id: string, label: string) => h('a', { href: `#${id}`, 'aria-current': section === id ? 'page' : undefined }, label);
  const main = h('main', { id: 'main', 'aria-busy': 'true' }, h('p', {}, t.loading));
  clear(app,
    h('header', { className: 'top' },
      h('span', { className: 'brand' }, t.title),
      h('nav', { 'aria-label': t.title }, link('overview', t.overview), link('scopes', t.scopes), link('requests', t.requests)),
      h('div', { className: 'actions' }, languageButton(() => void render()),
        h('button', { type: 'button', id: 'sign-out', onclick: async () => {
          await fetch('usage/logout', { method: 'POST', credentials: 'same-origin' });
          notice = '';
          showSignIn();
        } }, t.signOut))),
    main);
  const rerender = () => void render();
  const content = h('div');
  try {
    if (route.startsWith('tenant/')) await renderTenant(content, decodeURIComponent(route.slice(7)), state, rerender);
    else if (route === 'scopes') {
      content.append(h('div', { className: 'toolbar' }, rangePicker(state.range, (range) => { state.range = range; rerender(); })));
      await renderScopes(content, state, rerender);
      content.append(await auditTrail());
    } else if (route === 'requests') await renderRequests(content);
    else await renderOverview(content, state, rerender);
    main.replaceChildren(content);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    main.replaceChildren(h('p', { role: 'alert', className: 'message' }, `${t.error}: ${(e as Error).message}`));
  } finally {
    main.removeAttribute('aria-busy');
  }
}
