import { describe, expect, it, vi } from 'vitest';
import { refreshMarginMs, TokenKeeper, tokenExpiry } from '../../src/end-user-token';
import { fakeToken } from './helpers';

describe('tokenExpiry', () => {
  it("reads the payload's exp as milliseconds", () => {
    expect(tokenExpiry(fakeToken(1_800_000_900))).toBe(1_800_000_900_000);
  });

  it('is undefined for what it cannot read', () => {
    expect(tokenExpiry('lp-ut-abc')).toBeUndefined();
    expect(tokenExpiry('lp-ut-abc.!!!.mac')).toBeUndefined();
    expect(tokenExpiry(`lp-ut-abc.${btoa('{"exp":"soon"}')}.mac`)).toBeUndefined();
  });
});

describe('TokenKeeper', () => {
  it('asks once, reuses the token while it has more than the margin left, then asks again', async () => {
    let now = 1_800_000_000_000;
    const keeper = new TokenKeeper(() => now);
    const source = vi.fn(async () => fakeToken(now / 1000 + 900));

    const first = await keeper.get(source);
    now += 900_000 - refreshMarginMs - 1;
    expect(await keeper.get(source)).toBe(first);
    expect(source).toHaveBeenCalledTimes(1);

    now += 1;
    const second = await keeper.get(source);
    expect(source).toHaveBeenCalledTimes(2);
    expect(second).not.toBe(first);
  });

  it('shares one request among concurrent askers', async () => {
    const keeper = new TokenKeeper(() => 0);
    let resolve!: (token: string) => void;
    const source = vi.fn(() => new Promise<string>((r) => (resolve = r)));

    const both = Promise.all([keeper.get(source), keeper.get(source)]);
    resolve(fakeToken(3600));

    expect(await both).toEqual([fakeToken(3600), fakeToken(3600)]);
    expect(source).toHaveBeenCalledTimes(1);
  });

  it('asks again after forget, and takes expiresAt from a whole POST /api/tokens answer', async () => {
    let now = Date.parse('2026-11-20T10:00:00Z');
    const keeper = new TokenKeeper(() => now);
    // The answer's expiresAt wins over the payload (which says an hour).
    const source = vi.fn(async () => ({ token: fakeToken(now / 1000 + 3600), expiresAt: '2026-11-20T10:01:00Z' }));

    await keeper.get(source);
    keeper.forget();
    await keeper.get(source);
    expect(source).toHaveBeenCalledTimes(2);
    now += 31_000;
    await keeper.get(source);
    expect(source).toHaveBeenCalledTimes(3);
  });

  it('rejects what is not a token, and asks again next time', async () => {
    const keeper = new TokenKeeper(() => 0);
    await expect(keeper.get(async () => ({ token: '' }))).rejects.toThrow(TypeError);
    await expect(keeper.get(async () => { throw new Error('backend down'); })).rejects.toThrow('backend down');
    expect(await keeper.get(async () => fakeToken(3600))).toBe(fakeToken(3600));
  });
});
