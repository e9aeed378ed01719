import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, outputDirectory, PageServer, ProxyProcess, waitMs } from './harness';

const chunkDelayMs = 100;
const sample = 'This are a example text that will be improve using AI.';
const answer = `Mock answer from gpt-4-turbo: ${sample}`;

let proxy: ProxyProcess;
let pages: PageServer;
let strangers: PageServer;
let browser: Browser;
let page: Page;
let consoleErrors: string[];
let testNumber = 0;

beforeAll(async () => {
  mkdirSync(outputDirectory, { recursive: true });
  pages = await PageServer.start();
  strangers = await PageServer.start();
  proxy = await ProxyProcess.start({
    'LlmProxy:Cors:AllowedOrigins:0': pages.origin,
    // The proxy's CORS lets this second page origin call it, but the pages' publishable key does not list it.
    'LlmProxy:Cors:AllowedOrigins:1': strangers.origin,
    'LlmProxy:Providers:mock:ChunkDelayMs': String(chunkDelayMs),
    // No token limit by default: the quota test lowers its own user's limit through the admin API.
    'LlmProxy:Quota:DefaultUserTokens': '0',
    'LlmProxy:Quota:RequestsPerMinutePerUser': '0',
    'LlmProxy:EndUserTokens:SigningKey': `browser-test-signing-key-${randomUUID()}`,
  }, [pages.origin]);
  for (const server of [pages, strangers]) {
    server.proxyUrl = proxy.url;
    server.apiKey = proxy.publishableKey;
    server.secretKey = proxy.secretKey;
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.stop();
  await pages?.stop();
  await strangers?.stop();
});

async function open(url: string, allowedErrors: RegExp[] = []): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const opened = await context.newPage();
  consoleErrors = [];
  opened.on('console', (m) => {
    if (m.type() === 'error' && !allowedErrors.some((r) => r.test(m.text()))) consoleErrors.push(m.text());
  });
  opened.on('pageerror', (e) => consoleErrors.push(String(e)));
  await opened.goto(url);
  await opened.waitForFunction(() => customElements.get('ai-text-enhancer') !== undefined, null, { timeout: waitMs });
  page = opened;
  return opened;
}

function customerPage(allowedErrors: RegExp[] = []): Promise<Page> {
  testNumber += 1;
  return open(`${pages.origin}/page.html?user=t${testNumber}-${Date.now()}`, allowedErrors);
}

afterEach(async () => {
  expect(consoleErrors, 'console errors').toEqual([]);
  await page?.context().close();
});

/** Records every distinct text the preview shows, as the user would see it grow. */
async function recordPreview(p: Page, id: string): Promise<void> {
  await p.evaluate((elementId) => {
    const target = document.getElementById(elementId)!.shadowRoot!.querySelector('#preview-text')!;
    const steps: string[] = [];
    (window as unknown as Record<string, string[]>)[`steps-${elementId}`] = steps;
    new MutationObserver(() => {
      const text = target.textContent ?? '';
      if (text && text !== steps[steps.length - 1]) steps.push(text);
    }).observe(target, { childList: true, characterData: true, subtree: true });
  }, id);
}

function steps(p: Page, id: string): Promise<string[]> {
  return p.evaluate((elementId) => (window as unknown as Record<string, string[]>)[`steps-${elementId}`], id);
}

function previewText(p: Page, id: string): Promise<string> {
  return p.evaluate((elementId) => document.getElementById(elementId)!.shadowRoot!.querySelector('#preview-text')!.textContent ?? '', id);
}

async function waitForPreview(p: Page, id: string, predicate: string): Promise<void> {
  await p.waitForFunction(
    ([elementId, body]) => new Function('text', `return ${body}`)(document.getElementById(elementId)!.shadowRoot!.querySelector('#preview-text')!.textContent ?? ''),
    [id, predicate] as const, { timeout: waitMs });
}

/** Waits (bounded) until the proxy has recorded usage for the user, i.e. it has finished with the user's call. */
async function usageRecorded(user: string | null): Promise<void> {
  await expect.poll(async () => ((await (await fetch(`${proxy.url}/api/quota?userId=${user}`, { headers: { Authorization: `Bearer ${proxy.secretKey}` } })).json()) as { used: number }).used,
    { timeout: waitMs, interval: 100 }).toBeGreaterThan(0);
}

describe('<ai-text-enhancer> in Chromium, page and proxy on different origins', () => {
  it('streams the improvement into the preview in several steps; accept replaces the text and fires input and change', async () => {
    const p = await customerPage();
    const apiCalls: string[] = [];
    p.on('request', (r) => { if (r.url().includes('/api/')) apiCalls.push(r.url()); });
    await p.evaluate(() => {
      const editor = document.getElementById('editor-one')!;
      (window as unknown as { fired: string[] }).fired = [];
      for (const type of ['input', 'change']) editor.addEventListener(type, () => (window as unknown as { fired: string[] }).fired.push(type));
    });
    await recordPreview(p, 'one');
    const one = p.locator('#one');

    await one.getByRole('button', { name: 'Improve' }).click();
    await waitForPreview(p, 'one', 'text.split(" ").length >= 6');
    await p.screenshot({ path: join(outputDirectory, 'ai-text-enhancer-streaming.png') });
    await one.getByRole('button', { name: 'Accept' }).waitFor({ timeout: waitMs });

    const seen = await steps(p, 'one');
    expect(seen.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < seen.length; i++) expect(seen[i].startsWith(seen[i - 1]) && seen[i].length > seen[i - 1].length).toBe(true);
    expect(seen[seen.length - 1]).toBe(answer);
    expect(await one.getByRole('status').textContent()).toBe('Suggestion ready. Accept or discard it.');
    expect(apiCalls).toEqual([`${proxy.url}/api/llm-proxy`]);
    expect(new URL(proxy.url).origin).not.toBe(pages.origin);
    await p.screenshot({ path: join(outputDirectory, 'ai-text-enhancer-ready.png') });

    await one.getByRole('button', { name: 'Accept' }).click();
    expect(await p.locator('#editor-one').inputValue()).toBe(answer);
    expect(await p.evaluate(() => (window as unknown as { fired: string[] }).fired)).toEqual(['input', 'change']);

    await one.getByRole('button', { name: 'Undo' }).click();
    expect(await p.locator('#editor-one').inputValue()).toBe(sample);
  });

  it('cancel stops the stream mid-way and closes the connection', async () => {
    const p = await customerPage();
    const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    await p.locator('#editor-one').fill(long);
    const one = p.locator('#one');
    const streamRequest = p.waitForRequest((r) => r.url().endsWith('/api/llm-proxy'), { timeout: waitMs });

    await one.getByRole('button', { name: 'Improve' }).click();
    await waitForPreview(p, 'one', 'text.split(" ").length >= 4');
    const aborted = p.waitForEvent('requestfailed', { timeout: waitMs });
    await one.getByRole('button', { name: 'Cancel' }).click();
    const failed = await aborted;
    expect(failed).toBe(await streamRequest);
    expect(failed.failure()?.errorText).toContain('ERR_ABORTED');

    const atCancel = await previewText(p, 'one');
    expect(await one.getByRole('status').textContent()).toBe('Stopped.');
    expect(await one.getByRole('button', { name: 'Improve' }).isEnabled()).toBe(true);
    // The proxy has finished with the call once it records its usage (as client_closed; StreamCancellationTests shows
    // the vendor stream stops there). Nothing more reached the preview in the meantime.
    await usageRecorded(await one.getAttribute('user-id'));
    expect(await previewText(p, 'one')).toBe(atCancel);
    expect(atCancel.length).toBeLessThan(`Mock answer from gpt-4-turbo: ${long}`.length);
  });

  it('shows a quota refusal in the element\'s language (Spanish)', async () => {
    const p = await customerPage([/status of 429/]);
    const two = p.locator('#two');
    const user = await two.getAttribute('user-id');

    await two.getByRole('button', { name: 'Mejorar' }).click();
    await two.getByRole('button', { name: 'Aceptar' }).waitFor({ timeout: waitMs });
    // The usage of that first call is recorded in the background; wait (bounded) until the quota counts it.
    await usageRecorded(user);
    // The operator now caps this user below what it has used: the next call is refused at once.
    const capped = await fetch(`${proxy.url}/api/admin/quotas?tenantId=web&userId=${user}`,
      { method: 'PUT', headers: { 'X-Admin-Key': proxy.adminKey, 'Content-Type': 'application/json' }, body: '{"tokenLimit":1}' });
    expect(capped.status).toBe(200);

    await two.getByRole('button', { name: 'Acortar' }).click();
    const alert = two.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: waitMs }).toBe('Has agotado tu cuota de uso para este periodo. Inténtalo más tarde.');
    await p.screenshot({ path: join(outputDirectory, 'ai-text-enhancer-quota-es.png') });
  });

  it('runs two instances on one page side by side, each on its own editor', async () => {
    const p = await customerPage();
    await recordPreview(p, 'one');
    await recordPreview(p, 'two');
    await p.locator('#one').getByRole('button', { name: 'Improve' }).click();
    await p.locator('#two').getByRole('button', { name: 'Mejorar' }).click();
    await p.locator('#two').getByRole('button', { name: 'Aceptar' }).waitFor({ timeout: waitMs });
    await p.locator('#one').getByRole('button', { name: 'Accept' }).waitFor({ timeout: waitMs });

    const spanish = 'Mock answer from gpt-4-turbo: Este es un texto de ejemplo que será mejorado usando IA.';
    expect((await steps(p, 'one')).at(-1)).toBe(answer);
    expect((await steps(p, 'two')).at(-1)).toBe(spanish);
    expect((await steps(p, 'two')).length).toBeGreaterThanOrEqual(5);

    await p.locator('#two').getByRole('button', { name: 'Aceptar' }).click();
    expect(await p.locator('#editor-two').textContent()).toBe(spanish);
    expect(await p.locator('#editor-one').inputValue()).toBe(sample);
    expect(await previewText(p, 'one')).toBe(answer);
  });

  it('uses a publishable key, which a page on an origin the key does not list cannot use', async () => {
    expect(proxy.publishableKey).toMatch(/^lp-pk-/);
    const p = await open(`${strangers.origin}/page.html?user=stranger-${Date.now()}`, [/blocked by CORS policy/, /Failed to load resource/]);
    const one = p.locator('#one');
    await one.getByRole('button', { name: 'Improve' }).click();
    // The proxy refuses the key (403 origin_not_allowed) and, though its CORS setting admits this origin, grants the
    // page no read of the answer: to the element it is a call that did not get through.
    const alert = one.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: waitMs }).toBe('The service could not be reached. Check your connection and try again.');
    const direct = await fetch(`${proxy.url}/api/llm-proxy`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${proxy.publishableKey}`, Origin: strangers.origin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'mock', model: 'echo', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(direct.status).toBe(403);
    expect(direct.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await direct.json()) as { error: { type: string } }).error.type).toBe('origin_not_allowed');
  });

  it('is keyboard operable with a visible focus ring: Tab to Improve, Enter starts, Escape cancels', async () => {
    const p = await customerPage();
    // Set without focusing the editor, so the first Tab starts from the top of the page.
    await p.evaluate(() => {
      (document.getElementById('editor-one') as HTMLTextAreaElement).value = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    });
    await p.keyboard.press('Tab');
    const focused = await p.evaluate(() => {
      const inner = document.activeElement?.shadowRoot?.activeElement as HTMLElement | null;
      return { host: document.activeElement?.id, text: inner?.textContent, outline: inner ? getComputedStyle(inner).outlineStyle : '' };
    });
    expect(focused).toEqual({ host: 'one', text: 'Improve', outline: 'solid' });

    await p.keyboard.press('Enter');
    await waitForPreview(p, 'one', 'text.split(" ").length >= 3');
    // The disabled Improve button handed the focus to Cancel rather than dropping it to the page.
    expect(await p.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent)).toBe('Cancel');
    await p.keyboard.press('Escape');
    await expect.poll(() => p.locator('#one').getByRole('status').textContent(), { timeout: waitMs }).toBe('Stopped.');
  });

  it('keeps page CSS out and its own CSS in', async () => {
    const p = await customerPage();
    const styles = await p.evaluate(() => {
      const inner = document.getElementById('one')!.shadowRoot!.querySelector('button')!;
      const outer = document.getElementById('page-button')!;
      const toolbar = document.getElementById('one')!.shadowRoot!.querySelector('.toolbar')!;
      return {
        innerBackground: getComputedStyle(inner).backgroundColor,
        innerFont: getComputedStyle(inner).fontFamily,
        hostColor: getComputedStyle(document.getElementById('one')!).color,
        toolbarDisplay: getComputedStyle(toolbar).display,
        outerBackground: getComputedStyle(outer).backgroundColor,
      };
    });
    expect(styles.innerBackground).not.toBe('rgb(255, 0, 0)');
    expect(styles.innerFont).not.toContain('Comic Sans');
    expect(styles.hostColor).not.toBe('rgb(0, 128, 0)');
    expect(styles.toolbarDisplay).toBe('flex');
    expect(styles.outerBackground).toBe('rgb(255, 0, 0)');
  });
});

describe('<ai-text-enhancer> on a site whose backend vouches for its users with end-user tokens', () => {
  /** The proxy calls the page makes, with the credential and the user id they carry. */
  function proxyCalls(p: Page): { authorization: string; userId: unknown; status?: number }[] {
    const calls: { authorization: string; userId: unknown; status?: number }[] = [];
    p.on('response', (r) => {
      const request = r.request();
      if (!request.url().endsWith('/api/llm-proxy') || request.method() !== 'POST') return;
      calls.push({ authorization: request.headers().authorization ?? '', userId: JSON.parse(request.postData() ?? '{}').userId, status: r.status() });
    });
    return calls;
  }

  it('gets a token from the page\'s backend, calls with it alone, and the usage is the token user\'s', async () => {
    const user = `token-user-${Date.now()}`;
    const p = await open(`${pages.origin}/token-page.html?user=${user}`);
    // Text of its own, so no earlier test's answer comes from the response cache (cached calls use no quota).
    await p.locator('#editor-one').fill(`A text of ${user}.`);
    const calls = proxyCalls(p);
    const one = p.locator('#one');

    await one.getByRole('button', { name: 'Improve' }).click();
    await one.getByRole('button', { name: 'Accept' }).waitFor({ timeout: waitMs });
    await one.getByRole('button', { name: 'Shorten' }).click();
    await one.getByRole('button', { name: 'Accept' }).waitFor({ timeout: waitMs });

    expect(await previewText(p, 'one')).toBe(`Mock answer from gpt-4-turbo: A text of ${user}.`);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.authorization).toMatch(/^Bearer lp-ut-/);
      expect(call.userId).toBeUndefined();
      expect(call.status).toBe(200);
    }
    // One token served both calls: it lasts five minutes.
    expect(await p.evaluate(() => (window as unknown as { tokenRequests: number }).tokenRequests)).toBe(1);
    await usageRecorded(user);
  });

  it('after the proxy refuses a token (401) asks the page for a new one, once, and the call goes through', async () => {
    const user = `token-refused-${Date.now()}`;
    const p = await open(`${pages.origin}/token-page.html?user=${user}&bad=1`, [/status of 401/]);
    await p.locator('#editor-one').fill(`A text of ${user}.`);
    const calls = proxyCalls(p);
    const one = p.locator('#one');

    await one.getByRole('button', { name: 'Improve' }).click();
    await one.getByRole('button', { name: 'Accept' }).waitFor({ timeout: waitMs });

    expect(calls.map((c) => c.status)).toEqual([401, 200]);
    expect(calls[0].authorization).not.toBe(calls[1].authorization);
    expect(await p.evaluate(() => (window as unknown as { tokenRequests: number }).tokenRequests)).toBe(2);
    expect(await p.evaluate(() => document.getElementById('one')!.shadowRoot!.querySelector('#error')!.textContent)).toBe('');
    await usageRecorded(user);
    await p.screenshot({ path: join(outputDirectory, 'ai-text-enhancer-token.png') });
  });
});

describe('the demo page served by the proxy', () => {
  it('works under its Content-Security-Policy against the mock vendor', async () => {
    const p = await open(`${proxy.url}/_/demo#key=${proxy.publishableKey}`);
    const violations: string[] = [];
    await p.exposeFunction('reportViolation', (v: string) => violations.push(v));
    await p.evaluate(() => document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation: (v: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));
    const english = p.locator('ai-text-enhancer[language=en]');
    await english.getByRole('button', { name: 'Improve' }).click();
    await english.getByRole('button', { name: 'Accept' }).waitFor({ timeout: waitMs });
    await expect.poll(() => p.locator('#log').textContent(), { timeout: waitMs }).toContain('enhance-done');
    await p.screenshot({ path: join(outputDirectory, 'ai-text-enhancer-demo.png'), fullPage: true });
    await english.getByRole('button', { name: 'Accept' }).click();
    expect(await p.locator('#editor-en').inputValue()).toBe('Mock answer from gpt-4-turbo: This are a example text that will be improve using AI.');
    expect(violations).toEqual([]);
  });
});
