/**
 * End-user tokens (`lp-ut-{keyId}.{payload}.{mac}`), which a page's backend gets from the proxy's `POST /api/tokens`
 * for its signed-in user. The element only carries them; the proxy verifies them.
 */

/** What a page's token callback may return: the token, or the whole `POST /api/tokens` answer. */
export type IssuedToken = string | { token: string; expiresAt?: string };

/** Asks the page (and through it, its backend) for a fresh token. */
export type TokenSource = () => Promise<IssuedToken>;

/** A held token is replaced this long before it expires, so a call never leaves with one about to lapse. */
export const refreshMarginMs = 30_000;

/** When the token expires (ms since the epoch), read from its payload's `exp`; undefined when it cannot be read. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Holds the last token a `TokenSource` gave and asks for a new one when it is about to expire or was refused. */
export class TokenKeeper {
  private held: { token: string; expiresAt: number | undefined } | null = null;
  private pending: Promise<string> | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** A token valid for at least `refreshMarginMs` more (as far as its expiry is known); concurrent askers share one request. */
  async get(source: TokenSource): Promise<string> {
    const held = this.held;
    if (held && (held.expiresAt === undefined || held.expiresAt - this.now() > refreshMarginMs)) return held.token;
    this.pending ??= this.fetch(source).finally(() => (this.pending = null));
    return this.pending;
  }

  /** Drops the held token (the proxy refused it), so the next `get` asks the source again. */
  forget(): void {
    this.held = null;
  }

  private async fetch(source: TokenSource): Promise<string> {
    const issued = await source();
    const token = typeof issued === 'string' ? issued : issued.token;
    if (typeof token !== 'string' || !token) throw new TypeError('getToken must resolve with a token or {token, expiresAt}.');
    const stated = typeof issued === 'string' || !issued.expiresAt ? Number.NaN : Date.parse(issued.expiresAt);
    this.held = { token, expiresAt: Number.isNaN(stated) ? tokenExpiry(token) : stated };
    return token;
  }
}
