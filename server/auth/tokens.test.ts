import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { LIMITS } from '../../shared/limits.ts';
import { DomainError } from '../errors.ts';
import { createTokenService, loadSecret } from './tokens.ts';

const secret = new TextEncoder().encode('unit-test-secret-that-is-long-enough-0123456789');
const userId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** A clock the test moves by hand. */
function fakeClock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** The DomainError a rejected verify throws. */
async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('createTokenService', () => {
  test('signs HS256 at+jwt tokens with pinned issuer and audience that verify back to their claims', async () => {
    const clock = fakeClock();
    const tokens = createTokenService(secret, clock.now);
    const { token, expiresIn } = await tokens.sign(userId, 'alice');
    expect(expiresIn).toBe(LIMITS.accessTokenSeconds);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(decodeJwt(token)).toEqual({
      name: 'alice',
      iss: 'parley',
      aud: 'parley',
      sub: userId,
      iat: T0 / 1000,
      exp: T0 / 1000 + LIMITS.accessTokenSeconds,
    });
    expect(await tokens.verify(token)).toEqual({ userId, username: 'alice', exp: T0 / 1000 + LIMITS.accessTokenSeconds });
  });

  test('a token is valid until its 15 minutes are up, then expired', async () => {
    const clock = fakeClock();
    const tokens = createTokenService(secret, clock.now);
    const { token } = await tokens.sign(userId, 'alice');
    clock.advance(LIMITS.accessTokenSeconds * 1000 - 1000);
    expect((await tokens.verify(token)).userId).toBe(userId);
    clock.advance(1000);
    const err = await rejection(tokens.verify(token));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toBe('Access token expired');
  });

  test('a token signed with another secret fails', async () => {
    const tokens = createTokenService(secret, fakeClock().now);
    const other = createTokenService(new TextEncoder().encode('a-different-secret-that-is-long-enough-000'), fakeClock().now);
    const { token } = await other.sign(userId, 'alice');
    expect((await rejection(tokens.verify(token))).code).toBe('UNAUTHORIZED');
  });

  /** A token like the service's, with some of its header and claims overridden. */
  const forge = (o: { alg?: string; typ?: string; iss?: string; aud?: string } = {}) =>
    new SignJWT({ name: 'alice' })
      .setProtectedHeader({ alg: o.alg ?? 'HS256', typ: o.typ ?? 'at+jwt' })
      .setIssuer(o.iss ?? 'parley')
      .setAudience(o.aud ?? 'parley')
      .setSubject(userId)
      .setIssuedAt(T0 / 1000)
      .setExpirationTime(T0 / 1000 + 60)
      .sign(secret);
  const forged = {
    'wrong issuer': { iss: 'evil' },
    'wrong audience': { aud: 'evil' },
    'typ JWT': { typ: 'JWT' },
    'alg HS384': { alg: 'HS384' },
  };
  for (const [label, overrides] of Object.entries(forged)) {
    test(`rejects a token with ${label}`, async () => {
      const tokens = createTokenService(secret, fakeClock().now);
      // Control: the unaltered token passes, so the rejection below is due to the override alone.
      expect((await tokens.verify(await forge())).userId).toBe(userId);
      const err = await rejection(tokens.verify(await forge(overrides)));
      expect(err).toMatchObject({ code: 'UNAUTHORIZED', message: 'Invalid access token' });
    });
  }

  test('a remembered token still expires at its exp, and is then checked afresh', async () => {
    const clock = fakeClock();
    const tokens = createTokenService(secret, clock.now);
    const { token } = await tokens.sign(userId, 'alice');
    // Many verifies of the same token (the HTTP client's case) all answer its claims.
    for (let i = 0; i < 3; i++) expect((await tokens.verify(token)).username).toBe('alice');
    clock.advance(LIMITS.accessTokenSeconds * 1000);
    for (let i = 0; i < 2; i++) expect((await rejection(tokens.verify(token))).message).toBe('Access token expired');
  });

  test('a verified token does not vouch for a tampered copy of it', async () => {
    const tokens = createTokenService(secret, fakeClock().now);
    const { token } = await tokens.sign(userId, 'alice');
    expect((await tokens.verify(token)).userId).toBe(userId);
    const [header, , signature] = token.split('.');
    const claims = Buffer.from(JSON.stringify({ ...decodeJwt(token), name: 'mallory' })).toString('base64url');
    const flipped = signature!.slice(0, -2) + (signature!.at(-2) === 'A' ? 'B' : 'A') + signature!.at(-1);
    for (const tampered of [`${header}.${claims}.${signature}`, `${header}.${token.split('.')[1]}.${flipped}`]) {
      expect((await rejection(tokens.verify(tampered))).message).toBe('Invalid access token');
    }
    expect((await tokens.verify(token)).username).toBe('alice');
  });

  test('when the cache of verified tokens is full the oldest is dropped, and verifies again from its signature', async () => {
    const clock = fakeClock();
    const tokens = createTokenService(secret, clock.now, 2);
    const signed = await Promise.all(['a', 'b', 'c'].map(async (name) => ({ name, ...(await tokens.sign(userId, name)) })));
    for (const { name, token } of [...signed, ...signed]) expect((await tokens.verify(token)).username).toBe(name);
    clock.advance(LIMITS.accessTokenSeconds * 1000);
    for (const { token } of signed) expect((await rejection(tokens.verify(token))).message).toBe('Access token expired');
  });

  test('rejects garbage', async () => {
    const tokens = createTokenService(secret);
    for (const token of ['', 'x', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.e30.']) {
      expect((await rejection(tokens.verify(token))).code).toBe('UNAUTHORIZED');
    }
  });
});

describe('loadSecret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a configured secret is used as is and nothing is written', () => {
    const sub = join(dir, 'configured');
    expect(new TextDecoder().decode(loadSecret('configured-secret', sub))).toBe('configured-secret');
    expect(() => statSync(sub)).toThrow();
  });

  test('otherwise one is generated once under DATA_DIR (mode 0600) and reused', () => {
    const sub = join(dir, 'generated', 'nested');
    const first = loadSecret(null, sub);
    const file = join(sub, 'jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadSecret(null, sub)).toEqual(first);
    expect(new TextDecoder().decode(first)).toBe(readFileSync(file, 'utf8').trim());
  });

  test('different data directories get different secrets', () => {
    expect(loadSecret(null, join(dir, 'a'))).not.toEqual(loadSecret(null, join(dir, 'b')));
  });

  test('an existing secret file is read, ignoring surrounding whitespace', () => {
    const sub = join(dir, 'existing');
    loadSecret(null, sub);
    writeFileSync(join(sub, 'jwt-secret'), '  kept-secret-value\n');
    expect(new TextDecoder().decode(loadSecret(null, sub))).toBe('kept-secret-value');
  });
});
