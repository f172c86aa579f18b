import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { eq } from 'drizzle-orm';
import { LIMITS } from '../../../shared/limits.ts';
import { refreshFamilies, users } from '../../db/schema/index.ts';
import {
  expectCode,
  expectRefusedUnchanged,
  failure,
  httpClient,
  register,
  startTestServer,
  type TestServer,
  uniqueName,
} from '../helpers/fixtures.ts';

/** Accounts and sessions over HTTP: register, login and its throttle, refresh rotation, logout. */
let server: TestServer;
let anon: ReturnType<typeof httpClient>;
beforeAll(async () => {
  server = await startTestServer();
  anon = httpClient(server.url);
}, 60_000);
afterAll(() => server.stop(), 30_000);

const PASSWORD = 'correct horse battery';
const me = (token: string) => httpClient(server.url, token).auth.me.query();
const refused = (call: () => Promise<unknown>, code: string) => expectRefusedUnchanged(server.database, call, code);

describe('register', () => {
  test('returns a session for the new user, with a working 15-minute access token', async () => {
    const username = uniqueName('reg');
    const session = await anon.auth.register.mutate({ username, password: PASSWORD, display_name: '  Reg Istered  ' });
    expect(session.user).toEqual({ id: expect.any(String), username, display_name: 'Reg Istered', created_at: expect.any(String) });
    expect(session.expires_in).toBe(LIMITS.accessTokenSeconds);
    expect(session.refresh_token.length).toBeGreaterThanOrEqual(32);
    const claims = decodeJwt(session.access_token);
    expect(decodeProtectedHeader(session.access_token)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(claims).toMatchObject({ sub: session.user.id, iss: 'parley', aud: 'parley' });
    expect(claims.exp! - claims.iat!).toBe(LIMITS.accessTokenSeconds);
    expect(await me(session.access_token)).toEqual(session.user);
    const [row] = await server.database.db.select().from(users).where(eq(users.id, session.user.id));
    expect(row!.passwordHash).toStartWith('$argon2id$');
    expect(row!.passwordHash).not.toContain(PASSWORD);
  });

  test('usernames are lower-cased, and unique case-insensitively (CONFLICT)', async () => {
    const base = uniqueName('Case');
    const session = await anon.auth.register.mutate({ username: base.toUpperCase(), password: PASSWORD });
    expect(session.user.username).toBe(base.toLowerCase());
    expect(session.user.display_name).toBe(base.toLowerCase());
    for (const variant of [base, base.toLowerCase(), base.toUpperCase()]) {
      await refused(() => anon.auth.register.mutate({ username: variant, password: 'another password' }), 'CONFLICT');
    }
    // The original password still works: the conflicting attempts changed nothing.
    expect((await anon.auth.login.mutate({ username: base, password: PASSWORD })).user.id).toBe(session.user.id);
  });

  test('concurrent registrations of one username: exactly one wins, the rest are CONFLICT', async () => {
    const username = uniqueName('race');
    const results = await Promise.allSettled([1, 2, 3].map(() => anon.auth.register.mutate({ username, password: PASSWORD })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as any).data.code).toBe('CONFLICT');
    expect(await server.database.db.select().from(users).where(eq(users.username, username))).toHaveLength(1);
  });
});

describe('login', () => {
  test('with the right password (any case of the username) opens a new session', async () => {
    const alice = await register(server.url, 'login');
    const session = await anon.auth.login.mutate({ username: alice.username.toUpperCase(), password: PASSWORD });
    expect(session.user).toEqual(alice.session.user);
    expect(session.refresh_token).not.toBe(alice.session.refresh_token);
    expect(await me(session.access_token)).toEqual(alice.session.user);
  });

  test('a wrong password and an unknown user are both UNAUTHORIZED with the same message', async () => {
    const bob = await register(server.url, 'login');
    const wrong = await refused(() => anon.auth.login.mutate({ username: bob.username, password: 'not the password' }), 'UNAUTHORIZED');
    const unknown = await refused(() => anon.auth.login.mutate({ username: uniqueName('nobody'), password: PASSWORD }), 'UNAUTHORIZED');
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.httpStatus).toBe(401);
  });

  test('10 failures for a username throttle it (TOO_MANY_REQUESTS even with the right password); a success resets the count', async () => {
    const carol = await register(server.url, 'throttle');
    const dave = await register(server.url, 'throttle');
    const attempt = (password: string, username = carol.username) => anon.auth.login.mutate({ username, password });
    for (let i = 0; i < 9; i++) await expectCode(attempt(`wrong ${i}`), 'UNAUTHORIZED');
    expect((await attempt(PASSWORD)).user.id).toBe(carol.id);
    // Had the success not reset the count, the second of these would already be throttled.
    for (let i = 0; i < 10; i++)
      await expectCode(attempt(`wrong again ${i}`, i % 2 ? carol.username.toUpperCase() : carol.username), 'UNAUTHORIZED');
    const throttled = await expectCode(attempt(PASSWORD), 'TOO_MANY_REQUESTS');
    expect(throttled.httpStatus).toBe(429);
    expect(throttled.retryAfterSeconds).toBeGreaterThan(0);
    await expectCode(attempt('wrong once more'), 'TOO_MANY_REQUESTS');
    // The throttle is per username: another account from the same address still logs in.
    expect((await attempt(PASSWORD, dave.username)).user.id).toBe(dave.id);
  });

  test('an unknown username is throttled exactly like a known one, so throttling reveals nothing', async () => {
    const ghost = uniqueName('ghost');
    for (let i = 0; i < 10; i++) await expectCode(anon.auth.login.mutate({ username: ghost, password: `guess ${i}` }), 'UNAUTHORIZED');
    await expectCode(anon.auth.login.mutate({ username: ghost, password: PASSWORD }), 'TOO_MANY_REQUESTS');
  });

  test('concurrent failures cannot buy more than 10 password checks for one username', async () => {
    const erin = await register(server.url, 'burst');
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => failure(anon.auth.login.mutate({ username: erin.username, password: `guess ${i}` }))),
    );
    const codes = results.map((r) => r.code);
    expect(codes.every((c) => c === 'UNAUTHORIZED' || c === 'TOO_MANY_REQUESTS')).toBe(true);
    expect(codes.filter((c) => c === 'UNAUTHORIZED').length).toBeLessThanOrEqual(10);
    await expectCode(anon.auth.login.mutate({ username: erin.username, password: PASSWORD }), 'TOO_MANY_REQUESTS');
  });
});

describe('refresh', () => {
  test('rotates: the new session works and the old refresh token is spent', async () => {
    const frank = await register(server.url, 'refresh');
    const next = await anon.auth.refresh.mutate({ refresh_token: frank.session.refresh_token });
    expect(next.user).toEqual(frank.session.user);
    expect(next.refresh_token).not.toBe(frank.session.refresh_token);
    expect(next.expires_in).toBe(LIMITS.accessTokenSeconds);
    expect(await me(next.access_token)).toEqual(frank.session.user);
    const third = await anon.auth.refresh.mutate({ refresh_token: next.refresh_token });
    expect(third.user.id).toBe(frank.id);
  });

  test('replaying a spent token is UNAUTHORIZED and revokes the whole family', async () => {
    const gina = await register(server.url, 'reuse');
    const other = await anon.auth.login.mutate({ username: gina.username, password: PASSWORD });
    const s1 = await anon.auth.refresh.mutate({ refresh_token: gina.session.refresh_token });
    const s2 = await anon.auth.refresh.mutate({ refresh_token: s1.refresh_token });
    await expectCode(anon.auth.refresh.mutate({ refresh_token: gina.session.refresh_token }), 'UNAUTHORIZED');
    // The newest token of that family no longer works either...
    await expectCode(anon.auth.refresh.mutate({ refresh_token: s2.refresh_token }), 'UNAUTHORIZED');
    const families = await server.database.db.select().from(refreshFamilies).where(eq(refreshFamilies.userId, gina.id));
    expect(families.filter((f) => f.revokedAt !== null)).toHaveLength(1);
    // ...but another login (another family) is unaffected.
    expect((await anon.auth.refresh.mutate({ refresh_token: other.refresh_token })).user.id).toBe(gina.id);
  });

  test('two concurrent uses of one token: at most one succeeds, and the family ends up revoked', async () => {
    const hal = await register(server.url, 'race');
    const results = await Promise.allSettled([1, 2].map(() => anon.auth.refresh.mutate({ refresh_token: hal.session.refresh_token })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won.length).toBeLessThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as any).data.code).toBe('UNAUTHORIZED');
    for (const r of won) await expectCode(anon.auth.refresh.mutate({ refresh_token: r.value.refresh_token }), 'UNAUTHORIZED');
  });

  test('unknown or malformed refresh tokens are UNAUTHORIZED and change nothing', async () => {
    await refused(() => anon.auth.refresh.mutate({ refresh_token: 'never-issued-token-0123456789' }), 'UNAUTHORIZED');
    const ivy = await register(server.url, 'refresh');
    await refused(() => anon.auth.refresh.mutate({ refresh_token: ivy.token }), 'UNAUTHORIZED');
  });
});

describe('logout', () => {
  test('revokes the session: its refresh token (and any successor) stops working', async () => {
    const jack = await register(server.url, 'logout');
    const kept = await anon.auth.login.mutate({ username: jack.username, password: PASSWORD });
    const s1 = await anon.auth.refresh.mutate({ refresh_token: jack.session.refresh_token });
    expect(await anon.auth.logout.mutate({ refresh_token: s1.refresh_token })).toEqual({ ok: true });
    await expectCode(anon.auth.refresh.mutate({ refresh_token: s1.refresh_token }), 'UNAUTHORIZED');
    // Logging out again, or with a token nobody issued, is harmless.
    expect(await anon.auth.logout.mutate({ refresh_token: s1.refresh_token })).toEqual({ ok: true });
    expect(await anon.auth.logout.mutate({ refresh_token: 'never-issued' })).toEqual({ ok: true });
    // Other sessions of the same user live on.
    expect((await anon.auth.refresh.mutate({ refresh_token: kept.refresh_token })).user.id).toBe(jack.id);
  });
});

describe('users.byUsername', () => {
  test('finds a user case-insensitively; unknown is NOT_FOUND; anonymous is UNAUTHORIZED', async () => {
    const kim = await register(server.url, 'lookup');
    const lee = await register(server.url, 'lookup');
    expect(await lee.client.users.byUsername.query({ username: kim.username.toUpperCase() })).toEqual(kim.session.user);
    await expectCode(lee.client.users.byUsername.query({ username: uniqueName('ghost') }), 'NOT_FOUND');
    await expectCode(anon.users.byUsername.query({ username: kim.username }), 'UNAUTHORIZED');
  });
});
