import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// One harness for every browser suite: the standalone proxy process and Debian's Chromium.
import { launchChromium, outputDirectory, ProxyProcess, waitMs } from '../../../ai-text-enhancer/test/browser/harness';

const inputPrice = 1000; // USD per million prompt tokens, so that the seeded cost is a visible figure
const outputPrice = 2000;
// The last call repeats the one before it word for word, so the response cache answers it.
const seeds: [string, string, string][] = [['acme', 'ana', 'seeded call 1 of ana'], ['acme', 'ana', 'seeded call 2 of ana'],
  ['acme', 'ana', 'seeded call 3 of ana'], ['acme', 'bob', 'seeded call 4 of bob'], ['globex', 'eve', 'seeded call 5 of eve'],
  ['globex', 'eve', 'seeded call 5 of eve']];

let proxy: ProxyProcess;
let browser: Browser;
let context: BrowserContext | undefined;
let consoleErrors: string[] = [];
const keys = new Map<string, string>();
const seeded = { requests: 0, prompt: 0, completion: 0, cached: 0 };
let unique = 0;

async function tenantKey(tenant: string): Promise<string> {
  if (!keys.has(tenant)) {
    const created = await fetch(`${proxy.url}/api/admin/tenants/${tenant}/keys`, { method: 'POST', headers: { 'X-Admin-Key': proxy.adminKey }, body: '{"name":"dashboard tests"}' });
    expect(created.status).toBe(201);
    keys.set(tenant, ((await created.json()) as { key: string }).key);
  }
  return keys.get(tenant)!;
}

async function callProxy(tenant: string, user: string, content = `fresh call ${++unique} of ${user}`): Promise<Response> {
  return fetch(`${proxy.url}/api/llm-proxy`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await tenantKey(tenant)}` },
    body: JSON.stringify({ provider: 'mock', model: 'echo', tenantId: tenant, userId: user, messages: [{ role: 'user', content }] }),
  });
}

/** The usage consumer records off the request path; the dashboard's own API says when it has caught up. */
async function whenRecorded(requests: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const answer = await fetch(`${proxy.url}/api/admin/overview`, { headers: { 'X-Admin-Key': proxy.adminKey } });
    const overview = (await answer.json()) as { totals: { requests: number } };
    if (overview.totals.requests >= requests) return;
    if (Date.now() > deadline) throw new Error(`only ${overview.totals.requests} of ${requests} calls were recorded`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  mkdirSync(outputDirectory, { recursive: true });
  proxy = await ProxyProcess.start({
    'LlmProxy:Models:mock:echo:InputPricePerMillion': String(inputPrice),
    'LlmProxy:Models:mock:echo:OutputPricePerMillion': String(outputPrice),
    'LlmProxy:Models:mock:echo:PricesAsOf': '2026-11-28',
    'LlmProxy:Quota:RequestsPerMinutePerUser': '0',
  });
  for (const [tenant, user, content] of seeds) {
    const answer = await callProxy(tenant, user, content);
    expect(answer.status).toBe(200);
    if (answer.headers.get('X-Cache') === 'HIT') seeded.cached += 1;
    const usage = ((await answer.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
    seeded.requests += 1;
    seeded.prompt += usage.prompt_tokens;
    seeded.completion += usage.completion_tokens;
  }
  expect(seeded.cached).toBe(1);
  await whenRecorded(seeded.requests);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.stop();
});

afterEach(async () => {
  expect(consoleErrors, 'console errors').toEqual([]);
  await context?.close();
  context = undefined;
});

async function open(path = '/usage', width = 1280, allowedErrors: RegExp[] = []): Promise<Page> {
  context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !allowedErrors.some((r) => r.test(m.text()))) consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${proxy.url}${path}`);
  return page;
}

async function signIn(page: Page, key = proxy.adminKey): Promise<void> {
  await page.getByLabel(/Admin key|Clave de administración/).fill(key);
  await page.keyboard.press('Enter');
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(outputDirectory, `dashboard-${name}.png`), fullPage: true });
const metric = (page: Page, id: string) => page.locator(`[data-metric="${id}"]`);
const number = (n: number) => new Intl.NumberFormat('en-US').format(n);

describe('admin dashboard at /usage', () => {
  it('refuses a wrong admin key and keeps the key out of the URL', async () => {
    // The refused sign-in answers 401, which Chromium reports on the console as a failed resource.
    const page = await open('/usage', 1280, [/401 \(Unauthorized\)/]);
    await signIn(page, 'not-the-admin-key');
    await expect.poll(() => page.locator('#sign-in-message').textContent(), { timeout: waitMs }).toBe('That admin key is not valid.');
    expect(page.url()).not.toContain('not-the-admin-key');
    expect((await context!.cookies()).map((c) => c.name)).not.toContain('llmproxy_admin');
    await shot(page, 'sign-in-refused');
  });

  it('says the dashboard is off and how to turn it on when the server has no admin key', async () => {
    const page = await open('/usage', 1280, [/403 \(Forbidden\)/]);
    // The answer of a server without LlmProxy:Admin:ApiKey, as FirstRunTests checks the server gives it.
    await page.route('**/usage/login', (route) => route.fulfill({ status: 403, contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ error: { message: 'The admin API is disabled: set LlmProxy:Admin:ApiKey (at least 32 characters, e.g. from openssl rand -base64 48) to enable it.', type: 'permission_denied', param: null, code: 'permission_denied', status: 403 } }) }));
    await signIn(page, 'any-key');
    await expect.poll(() => page.locator('#sign-in-message').textContent(), { timeout: waitMs }).toContain('no admin key. Set LlmProxy__Admin__ApiKey');
    await shot(page, 'sign-in-admin-off');
  });

  it('shows the seeded figures after signing in, with a Chart.js chart and top tenants and users', async () => {
    const page = await open();
    await signIn(page);
    await expect.poll(() => metric(page, 'requests').textContent(), { timeout: waitMs }).toBe(number(seeded.requests));
    expect(await metric(page, 'tokens-in').textContent()).toBe(number(seeded.prompt));
    expect(await metric(page, 'tokens-out').textContent()).toBe(number(seeded.completion));
    const cost = (seeded.prompt * inputPrice + seeded.completion * outputPrice) / 1_000_000;
    expect(await metric(page, 'cost').textContent()).toBe(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 4 }).format(cost));
    expect(await metric(page, 'error-rate').textContent()).toBe('0%');
    expect(await metric(page, 'cache-hit').textContent()).toBe(
      new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(seeded.cached / seeded.requests));
    expect(await metric(page, 'p95').textContent()).toMatch(/^\d[\d,]* ms$/);
    const cookie = (await context!.cookies()).find((c) => c.name === 'llmproxy_admin')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(await page.evaluate(() => document.cookie)).toBe('');

    // Chart.js drew on the canvas: it registers the chart on the element and sized the canvas.
    const drawn = await page.locator('canvas').evaluate((c: HTMLCanvasElement) => c.width > 0 && c.height > 0);
    expect(drawn).toBe(true);
    expect(await page.locator('#top-tenants tbody tr').first().textContent()).toContain('acme');
    expect(await page.locator('#top-users tbody tr').first().textContent()).toContain('ana');
    await page.locator('#split').selectOption('model');
    await expect.poll(() => page.locator('#split').inputValue(), { timeout: waitMs }).toBe('model');
    await page.locator('button[data-range="today"]').click();
    await expect.poll(() => page.locator('button[data-range="today"]').getAttribute('aria-pressed'), { timeout: waitMs }).toBe('true');
    expect(await metric(page, 'requests').textContent()).toBe(number(seeded.requests));
    await shot(page, 'overview');

    // A custom range that ends yesterday holds none of today's calls; one that ends today holds them all.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await page.locator('button[data-range="custom"]').click();
    await page.locator('#range-from').fill(day(-3));
    await page.locator('#range-to').fill(day(-1));
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => metric(page, 'requests').textContent(), { timeout: waitMs }).toBe('0');
    await page.locator('button[data-range="custom"]').click();
    await page.locator('#range-to').fill(day(0));
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => metric(page, 'requests').textContent(), { timeout: waitMs }).toBe(number(seeded.requests));

    // Drill-down into one tenant: its users, models and daily usage.
    await page.locator('#top-tenants').getByRole('link', { name: 'acme' }).click();
    await page.locator('#models tbody tr').first().waitFor({ timeout: waitMs });
    expect(await page.locator('h1').textContent()).toBe('Tenant: acme');
    expect(await page.locator('table.scopes tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-scope'))))
      .toEqual(['acme', 'acme / ana', 'acme / bob']);
    expect(await page.locator('#models tbody tr').first().textContent()).toContain('echo');
    expect(await metric(page, 'requests').textContent()).toBe(number(seeds.filter(([tenant]) => tenant === 'acme').length));
    await shot(page, 'tenant-acme');
  });

  it('changes a user quota from the tenants table; the next proxied call is refused and the audit trail shows the change', async () => {
    const page = await open('/usage#scopes');
    await signIn(page);
    const row = page.locator('tr[data-scope="acme / ana"]');
    await row.waitFor({ timeout: waitMs });
    await page.locator('#scope-search').fill('ana');
    await expect.poll(() => page.locator('table.scopes tbody tr').count(), { timeout: waitMs }).toBe(1);
    const used = Number((await row.locator('td').nth(3).textContent())!.replace(/,/g, ''));
    expect(used).toBeGreaterThan(0);

    await row.getByRole('button', { name: /Edit quota/ }).click();
    await page.locator('#quota-tokens').fill(String(used));
    await page.locator('#quota-cost').fill('2.5');
    await shot(page, 'quota-dialog');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#audit tbody tr').first().textContent(), { timeout: waitMs }).toContain('acme / ana');
    const audit = await page.locator('#audit tbody tr').first().textContent();
    expect(audit).toContain('dashboard session');
    expect(audit).toContain(`${used} tokens`);
    expect(audit).toContain('$2.50');

    // Takes effect at once: the quota endpoint and the next call see the new limit.
    const quota = await fetch(`${proxy.url}/api/quota?tenantId=acme&userId=ana`, { headers: { Authorization: `Bearer ${await tenantKey('acme')}` } });
    const figures = (await quota.json()) as { limit: number; costLimitUsd: number; costUsedUsd: number };
    expect(figures.limit).toBe(used);
    expect(figures.costLimitUsd).toBe(2.5);
    expect(figures.costUsedUsd).toBeGreaterThan(0);
    expect((await callProxy('acme', 'ana')).status).toBe(429);
    expect((await callProxy('acme', 'bob')).status).toBe(200);
    seeded.requests += 1;
    await whenRecorded(seeded.requests);
    await shot(page, 'scopes');
  });

  it('filters the request log, opens one request with its bodies and exports the filtered rows as CSV', async () => {
    const page = await open('/usage#requests');
    await signIn(page);
    await page.locator('#request-log tbody tr[data-id]').first().waitFor({ timeout: waitMs });
    await page.locator('#filter-tenantId').fill('globex');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => page.locator('#request-log tbody tr[data-id]').count(), { timeout: waitMs }).toBe(2);
    const tenants = await page.locator('#request-log tbody tr[data-id] td:nth-child(2)').allTextContents();
    expect(tenants).toEqual(['globex', 'globex']);
    await page.locator('#filter-cached').selectOption('true');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => page.locator('#request-log tbody tr[data-id]').count(), { timeout: waitMs }).toBe(1);
    await page.locator('#filter-cached').selectOption('');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => page.locator('#request-log tbody tr[data-id]').count(), { timeout: waitMs }).toBe(2);

    const download = page.waitForEvent('download', { timeout: waitMs });
    await page.locator('#export-csv').click();
    const csv = readFileSync((await (await download).path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toMatch(/^timestamp,id,tenantId,userId,provider,model,status/);
    expect(csv.slice(1).map((l) => l.split(',')[2])).toEqual(['globex', 'globex']);

    await page.locator('#request-log tbody tr[data-id]').first().getByRole('button', { name: /Open/ }).click();
    await expect.poll(() => page.locator('#entry-request').textContent(), { timeout: waitMs }).toContain('seeded call 5 of eve');
    expect(await page.locator('#entry-response').textContent()).toContain('seeded call 5 of eve');
    // The call's cost at the price book's prices (mock/echo is priced in this suite).
    expect(await page.locator('.entry-dialog dl').textContent()).toMatch(/Cost\$\d/);
    await shot(page, 'request-detail');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog').count(), { timeout: waitMs }).toBe(0);
  });

  it('works at 375 px wide in Spanish, by keyboard, and signs out', async () => {
    const page = await open('/usage?lang=es', 375);
    await signIn(page);
    await expect.poll(() => page.locator('#label-requests').textContent(), { timeout: waitMs }).toBe('Peticiones');
    await expect.poll(() => metric(page, 'requests').textContent(), { timeout: waitMs }).toBe(new Intl.NumberFormat('es').format(seeded.requests));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shot(page, 'mobile-es');

    // Keyboard: Tab from the page start reaches the navigation; Enter follows a link.
    await page.keyboard.press('Tab');
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.getAttribute('href'))) !== '#scopes'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#scopes');
    await page.keyboard.press('Enter');
    await page.locator('#scopes').waitFor({ timeout: waitMs });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    await page.locator('#language').click();
    await expect.poll(() => page.locator('#sign-out').textContent(), { timeout: waitMs }).toBe('Sign out');
    await page.locator('#sign-out').click();
    await page.locator('#admin-key').waitFor({ timeout: waitMs });
    expect((await context!.cookies()).find((c) => c.name === 'llmproxy_admin' && c.value !== '')).toBeUndefined();
    const after = await fetch(`${proxy.url}/api/admin/overview`);
    expect(after.status).toBe(401);
  });
});
