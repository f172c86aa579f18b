import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { base64url, SignJWT, UnsecuredJWT } from 'jose';
import { createTokenService } from '../../auth/tokens.ts';
import {
  type Account,
  type Cast,
  expectCode,
  httpClient,
  register,
  registerCast,
  startTestServer,
  TEST_JWT_SECRET,
  type TestServer,
} from '../helpers/fixtures.ts';

/** Access tokens: everything but a fresh, correctly signed and pinned token is UNAUTHORIZED. */
let server: TestServer;
let alice: Account;
let cast: Cast;
beforeAll(async () => {
  server = await startTestServer();
  alice = await register(server.url, 'alice');
  cast = await registerCast(server.url);
}, 60_000);
afterAll(() => server.stop(), 30_000);

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

/** A token with the server's claims, any of which a test may override. */
async function mint(
  opts: { alg?: string; typ?: string | null; iss?: string; aud?: string; exp?: number; key?: Uint8Array; name?: unknown } = {},
) {
  const jwt = new SignJWT({ name: 'name' in opts ? opts.name : alice.username })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', ...(opts.typ !== null && { typ: opts.typ ?? 'at+jwt' }) })
    .setIssuer(opts.iss ?? 'parley')
    .setAudience(opts.aud ?? 'parley')
    .setSubject(alice.id)
    .setIssuedAt(now() - 5);
  if (opts.exp !== 0) jwt.setExpirationTime(opts.exp ?? now() + 600);
  return jwt.sign(opts.key ?? secret);
}

/** Replaces the character at `i` of a string with a different one of the base64url alphabet. */
const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

const meWith = (token: string | undefined) => httpClient(server.url, token).auth.me.query();

test('control: a token minted here with the right claims is accepted', async () => {
  expect(await meWith(await mint())).toEqual(alice.session.user);
  const service = createTokenService(secret);
  expect(await meWith((await service.sign(alice.id, alice.username)).token)).toEqual(alice.session.user);
});

describe('auth.me is UNAUTHORIZED with', () => {
  const cases: Record<string, () => Promise<string | undefined>> = {
    'no token': async () => undefined,
    'a token that is not a JWT': async () => 'garbage',
    'an empty-looking JWT': async () => 'a.b.c',
    'an expired token (fake clock, 16 minutes ago)': async () => {
      const past = createTokenService(secret, () => Date.now() - 16 * 60_000);
      return (await past.sign(alice.id, alice.username)).token;
    },
    'an expired token (exp one second ago)': () => mint({ exp: now() - 1 }),
    'a token without exp': () => mint({ exp: 0 }),
    'a tampered payload (another subject, same signature)': async () => {
      const [h, , s] = (await mint()).split('.');
      const payload = base64url.encode(
        JSON.stringify({ name: cast.owner.username, iss: 'parley', aud: 'parley', sub: cast.owner.id, iat: now(), exp: now() + 600 }),
      );
      return `${h}.${payload}.${s}`;
    },
    'a tampered signature': async () => {
      const token = await mint();
      return flip(token, token.lastIndexOf('.') + 10);
    },
    'a token signed with another secret': () => mint({ key: new TextEncoder().encode('another-secret-that-is-long-enough-0123456789') }),
    'a token signed with another secret by the server code': async () => {
      const other = createTokenService(new TextEncoder().encode(`${TEST_JWT_SECRET}-but-different`));
      return (await other.sign(alice.id, alice.username)).token;
    },
    'alg HS512 (same secret)': () => mint({ alg: 'HS512' }),
    'alg none': async () =>
      new UnsecuredJWT({ name: alice.username })
        .setIssuer('parley')
        .setAudience('parley')
        .setSubject(alice.id)
        .setIssuedAt()
        .setExpirationTime('10m')
        .encode(),
    'a wrong issuer': () => mint({ iss: 'someone-else' }),
    'a wrong audience': () => mint({ aud: 'someone-else' }),
    'typ JWT instead of at+jwt': () => mint({ typ: 'JWT' }),
    'no typ': () => mint({ typ: null }),
    'no name claim': () => mint({ name: undefined }),
    'a refresh token used as an access token': async () => alice.session.refresh_token,
  };
  for (const [label, token] of Object.entries(cases)) {
    test(label, async () => {
      const error = await expectCode(meWith(await token()), 'UNAUTHORIZED');
      expect(error.httpStatus).toBe(401);
    });
  }
});

test('a malformed Authorization header is UNAUTHORIZED, not anonymous success or a crash', async () => {
  for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', `Token ${alice.token}`, `Bearer ${alice.token} extra`]) {
    const res = await fetch(`${server.url}/trpc/auth.me`, { headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect((await res.json()).error.data.code).toBe('UNAUTHORIZED');
  }
});

test('every authenticated procedure refuses an anonymous caller with UNAUTHORIZED', async () => {
  const anon = httpClient(server.url);
  const id = crypto.randomUUID();
  const calls: Record<string, () => Promise<unknown>> = {
    'auth.me': () => anon.auth.me.query(),
    'users.byUsername': () => anon.users.byUsername.query({ username: alice.username }),
    'groups.create': () => anon.groups.create.mutate({ name: 'g' }),
    'groups.list': () => anon.groups.list.query(),
    'groups.get': () => anon.groups.get.query({ group_id: id }),
    'groups.update': () => anon.groups.update.mutate({ group_id: id, name: 'n' }),
    'groups.delete': () => anon.groups.delete.mutate({ group_id: id }),
    'groups.members': () => anon.groups.members.query({ group_id: id }),
    'groups.addMember': () => anon.groups.addMember.mutate({ group_id: id, user_id: id }),
    'groups.removeMember': () => anon.groups.removeMember.mutate({ group_id: id, user_id: id }),
    'groups.setRole': () => anon.groups.setRole.mutate({ group_id: id, user_id: id, role: 'admin' }),
    'groups.createInvite': () => anon.groups.createInvite.mutate({ group_id: id }),
    'groups.join': () => anon.groups.join.mutate({ code: 'abc' }),
    'channels.create': () => anon.channels.create.mutate({ group_id: id, name: 'c', type: 'TEXT' }),
    'channels.list': () => anon.channels.list.query({ group_id: id }),
    'channels.get': () => anon.channels.get.query({ channel_id: id }),
    'channels.update': () => anon.channels.update.mutate({ channel_id: id, name: 'n' }),
    'channels.delete': () => anon.channels.delete.mutate({ channel_id: id }),
  };
  for (const [label, call] of Object.entries(calls)) {
    const error = await expectCode(call(), 'UNAUTHORIZED');
    expect({ label, status: error.httpStatus }).toEqual({ label, status: 401 });
  }
});

test('an expired token cannot change anything', async () => {
  const group = await cast.owner.client.groups.create.mutate({ name: 'guarded' });
  const past = createTokenService(secret, () => Date.now() - 16 * 60_000);
  const stale = httpClient(server.url, (await past.sign(cast.owner.id, cast.owner.username)).token);
  await expectCode(stale.groups.update.mutate({ group_id: group.id, name: 'hijacked' }), 'UNAUTHORIZED');
  await expectCode(stale.groups.delete.mutate({ group_id: group.id }), 'UNAUTHORIZED');
  expect(await cast.owner.client.groups.get.query({ group_id: group.id })).toEqual(group);
});
