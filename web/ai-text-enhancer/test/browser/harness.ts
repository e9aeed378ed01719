import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repositoryRoot = resolve(here, '../../../..');
export const outputDirectory = join(repositoryRoot, 'test-output');

/** Every wait in these tests is bounded by this, so a hang fails instead of blocking the suite. */
export const waitMs = 20_000;

/** The standalone proxy host (the built Functions assembly run with --standalone), on a free loopback port. */
export class ProxyProcess {
  private constructor(private readonly child: ChildProcess, readonly url: string, private readonly dataDirectory: string,
    readonly secretKey: string, readonly publishableKey: string, readonly adminKey: string) {}

  /**
   * Starts the proxy and creates, the way an operator does, a secret key (for the tests' own server-side checks)
   * and the publishable key the pages use, bound to `pageOrigins` and the proxy's own origin (its demo page).
   */
  static async start(settings: Record<string, string>, pageOrigins: string[] = []): Promise<ProxyProcess> {
    const dll = process.env.LLMPROXY_FUNCTIONS_DLL ?? join(repositoryRoot, 'LlmProxy.Functions/bin/Debug/net10.0/LlmProxy.Functions.dll');
    const dataDirectory = mkdtempSync(join(tmpdir(), 'llmproxy-browser-'));
    const adminKey = `admin-${randomUUID()}`;
    const env: NodeJS.ProcessEnv = { ...process.env, DOTNET_NOLOGO: '1', LlmProxy__Store__SqlitePath: join(dataDirectory, 'proxy.db'), LlmProxy__Admin__ApiKey: adminKey };
    for (const [key, value] of Object.entries(settings)) env[key.replaceAll(':', '__')] = value;
    // Its own working directory, so no local.settings.json of a developer is read.
    const child = spawn('dotnet', [dll, '--standalone', '--urls', 'http://127.0.0.1:0'], { cwd: dataDirectory, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`The proxy did not start within ${waitMs} ms:\n${output}`)), waitMs);
      const onData = (data: Buffer) => {
        output += data.toString();
        const match = /Now listening on: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The proxy exited with ${code}:\n${output}`));
      });
    });
    child.stdout!.resume();
    child.stderr!.resume();
    const secretKey = await createKey(url, adminKey, { name: 'browser tests (server side)' });
    // Every call of these tests comes from 127.0.0.1, so the per-address window must hold them all.
    const publishableKey = await createKey(url, adminKey, {
      name: 'browser test pages', kind: 'publishable', allowedOrigins: [...pageOrigins, url],
      requestsPerMinutePerUser: 1000, requestsPerMinutePerIp: 100000, allowedModels: ['mock'], tokenLimit: 10000000,
    });
    return new ProxyProcess(child, url, dataDirectory, secretKey, publishableKey, adminKey);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, waitMs))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    rmSync(this.dataDirectory, { recursive: true, force: true });
  }
}

async function createKey(proxyUrl: string, adminKey: string, body: object): Promise<string> {
  const created = await fetch(`${proxyUrl}/api/admin/tenants/web/keys`, { method: 'POST', headers: { 'X-Admin-Key': adminKey }, body: JSON.stringify(body) });
  if (created.status !== 201) throw new Error(`Creating a tenant key failed: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { key: string }).key;
}

/**
 * A second origin for the host page: serves the fixture pages with the proxy's URL and the test's user id filled in,
 * as a customer's site would embed the element, and plays the site's backend: `GET /token?user=` asks the proxy for
 * an end-user token with the site's secret key (a real backend takes the user from its session, not the query).
 * `&bad=1` spoils the first token it hands out, as a token that expired or lost its signing key would be refused.
 */
export class PageServer {
  private constructor(private readonly server: Server, readonly origin: string) {}

  proxyUrl = '';
  apiKey = '';
  secretKey = '';
  private readonly spoiled = new Set<string>();

  static async start(): Promise<PageServer> {
    const templates = new Map(['page.html', 'token-page.html'].map((name) => [`/${name}`, readFileSync(join(here, 'fixtures', name), 'utf8')]));
    let self: PageServer | undefined;
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const user = (url.searchParams.get('user') ?? 'user').replace(/[^\w-]/g, '');
      if (url.pathname === '/token') {
        self!.issueToken(user, url.searchParams.has('bad')).then(
          (answer) => response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(answer),
          (e: unknown) => response.writeHead(502).end(String(e)));
        return;
      }
      const template = templates.get(url.pathname);
      if (!template) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end(template.replaceAll('{{PROXY}}', self!.proxyUrl).replaceAll('{{USER}}', user).replaceAll('{{KEY}}', self!.apiKey));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new PageServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private async issueToken(user: string, spoilFirst: boolean): Promise<string> {
    const issued = await fetch(`${this.proxyUrl}/api/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.secretKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: user, expiresInSeconds: 300, allowedModels: ['mock'] }),
    });
    if (issued.status !== 200) throw new Error(`POST /api/tokens: ${issued.status} ${await issued.text()}`);
    const answer = (await issued.json()) as { token: string; expiresAt: string };
    // One character of the MAC changed: the proxy must refuse it (401), and the element must ask again.
    if (spoilFirst && !this.spoiled.has(user)) {
      this.spoiled.add(user);
      answer.token = answer.token.slice(0, -2) + (answer.token.at(-2) === 'A' ? 'B' : 'A') + answer.token.at(-1);
    }
    return JSON.stringify(answer);
  }
}

/** Debian's Chromium, headless, with everything that would reach beyond loopback switched off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
    timeout: waitMs,
  });
}
