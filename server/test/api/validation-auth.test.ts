import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '../../../client/index.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { httpClient, register, uniqueName } from '../helpers/clients.ts';
import { expectBadInput, expectRefusedUnchanged, failure, snapshot, type Account } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Bad input to the account procedures: BAD_REQUEST with issues, never an internal error, nothing written. */
let server: TestServer;
let alice: Account;
let anon: TRPCClient<AppRouter>;
beforeAll(async () => {
  server = await startTestServer();
  alice = await register(server.url, 'alice');
  anon = httpClient(server.url);
}, 60_000);
afterAll(() => server.stop(), 30_000);

const any = (v: unknown) => v as any;
const long = (n: number) => 'x'.repeat(n);
const PASSWORD = 'correct horse battery';

type BadCase = [label: string, call: () => Promise<unknown>, path: (string | number)[]];

const badInput = (): Record<string, BadCase[]> => ({
  'auth.register': [
    ['no input', () => anon.auth.register.mutate(any(undefined)), []],
    ['username missing', () => anon.auth.register.mutate(any({ password: PASSWORD })), ['username']],
    ['password missing', () => anon.auth.register.mutate(any({ username: uniqueName('v') })), ['password']],
    ['username too short', () => anon.auth.register.mutate({ username: 'ab', password: PASSWORD }), ['username']],
    ['username too long', () => anon.auth.register.mutate({ username: long(LIMITS.usernameMax + 1), password: PASSWORD }), ['username']],
    ['username with a space', () => anon.auth.register.mutate({ username: 'has space', password: PASSWORD }), ['username']],
    ['username with an accent', () => anon.auth.register.mutate({ username: 'émile', password: PASSWORD }), ['username']],
    ['username with a slash', () => anon.auth.register.mutate({ username: 'a/b/c', password: PASSWORD }), ['username']],
    ['username with a NUL', () => anon.auth.register.mutate({ username: 'nul\u0000name', password: PASSWORD }), ['username']],
    ['username is a number', () => anon.auth.register.mutate(any({ username: 12345, password: PASSWORD })), ['username']],
    [
      'password too short',
      () => anon.auth.register.mutate({ username: uniqueName('v'), password: long(LIMITS.passwordMin - 1) }),
      ['password'],
    ],
    [
      'password too long',
      () => anon.auth.register.mutate({ username: uniqueName('v'), password: long(LIMITS.passwordMax + 1) }),
      ['password'],
    ],
    ['password is an array', () => anon.auth.register.mutate(any({ username: uniqueName('v'), password: [PASSWORD] })), ['password']],
    [
      'display_name empty',
      () => anon.auth.register.mutate({ username: uniqueName('v'), password: PASSWORD, display_name: '  ' }),
      ['display_name'],
    ],
    [
      'display_name too long',
      () => anon.auth.register.mutate({ username: uniqueName('v'), password: PASSWORD, display_name: long(LIMITS.displayNameMax + 1) }),
      ['display_name'],
    ],
    [
      'display_name is null',
      () => anon.auth.register.mutate(any({ username: uniqueName('v'), password: PASSWORD, display_name: null })),
      ['display_name'],
    ],
  ],
  'auth.login': [
    ['no input', () => anon.auth.login.mutate(any(undefined)), []],
    ['password missing', () => anon.auth.login.mutate(any({ username: alice.username })), ['password']],
    ['username missing', () => anon.auth.login.mutate(any({ password: PASSWORD })), ['username']],
    ['username empty', () => anon.auth.login.mutate({ username: '', password: PASSWORD }), ['username']],
    ['username too long', () => anon.auth.login.mutate({ username: long(LIMITS.usernameMax + 1), password: PASSWORD }), ['username']],
    ['password empty', () => anon.auth.login.mutate({ username: alice.username, password: '' }), ['password']],
    ['password too long', () => anon.auth.login.mutate({ username: alice.username, password: long(LIMITS.passwordMax + 1) }), ['password']],
    ['password is a number', () => anon.auth.login.mutate(any({ username: alice.username, password: 12345678 })), ['password']],
  ],
  'auth.refresh': [
    ['refresh_token missing', () => anon.auth.refresh.mutate(any({})), ['refresh_token']],
    ['refresh_token empty', () => anon.auth.refresh.mutate({ refresh_token: '' }), ['refresh_token']],
    ['refresh_token too long', () => anon.auth.refresh.mutate({ refresh_token: long(513) }), ['refresh_token']],
    ['refresh_token is an object', () => anon.auth.refresh.mutate(any({ refresh_token: { token: 'x' } })), ['refresh_token']],
  ],
  'auth.logout': [
    ['refresh_token missing', () => anon.auth.logout.mutate(any({})), ['refresh_token']],
    ['refresh_token empty', () => anon.auth.logout.mutate({ refresh_token: '' }), ['refresh_token']],
    ['refresh_token too long', () => anon.auth.logout.mutate({ refresh_token: long(513) }), ['refresh_token']],
    ['refresh_token is a number', () => anon.auth.logout.mutate(any({ refresh_token: 1 })), ['refresh_token']],
  ],
  'users.byUsername': [
    ['username missing', () => alice.client.users.byUsername.query(any({})), ['username']],
    ['username empty', () => alice.client.users.byUsername.query({ username: '' }), ['username']],
    ['username too long', () => alice.client.users.byUsername.query({ username: long(LIMITS.usernameMax + 1) }), ['username']],
    ['username is a boolean', () => alice.client.users.byUsername.query(any({ username: true })), ['username']],
  ],
});

describe('bad input is BAD_REQUEST with issues, and changes nothing', () => {
  // The table refers to accounts made in beforeAll, so it is built lazily; labels are static.
  const labels = Object.entries(badInput()).flatMap(([procedure, cases]) => cases.map(([label], i) => ({ procedure, label, i })));
  for (const { procedure, label, i } of labels) {
    test(`${procedure}: ${label}`, async () => {
      const [, call, path] = badInput()[procedure]![i]!;
      const before = await snapshot(server.database);
      await expectBadInput(call(), path);
      expect(await snapshot(server.database)).toEqual(before);
    });
  }
});

describe('NUL characters are bad input (or simply unknown), never an internal error', () => {
  const nul = 'a\u0000b';
  test('auth.register display_name', () =>
    expectRefusedUnchanged(
      server.database,
      () => anon.auth.register.mutate({ username: uniqueName('nul'), password: PASSWORD, display_name: nul }),
      'BAD_REQUEST',
    ));
  test('auth.login username', async () => {
    const before = await snapshot(server.database);
    const error = await failure(anon.auth.login.mutate({ username: nul, password: PASSWORD }));
    expect(error.code).toBeOneOf(['BAD_REQUEST', 'UNAUTHORIZED']);
    expect(await snapshot(server.database)).toEqual(before);
  });
  test('users.byUsername username', async () => {
    const error = await failure(alice.client.users.byUsername.query({ username: nul }));
    expect(error.code).toBeOneOf(['BAD_REQUEST', 'NOT_FOUND']);
  });
  test('auth.refresh and auth.logout refresh_token', async () => {
    expect((await failure(anon.auth.refresh.mutate({ refresh_token: nul }))).code).toBeOneOf(['BAD_REQUEST', 'UNAUTHORIZED']);
    const logout = await anon.auth.logout.mutate({ refresh_token: nul }).catch((err) => failure(Promise.reject(err)));
    expect(logout).not.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
  });
});

describe('values at the limits are accepted', () => {
  test('shortest and longest username and password, longest display name', async () => {
    // Each test file has its own database, so a fixed three-letter name is free.
    const shortName = 'a_b';
    const short = await anon.auth.register.mutate({ username: shortName, password: long(LIMITS.passwordMin) });
    expect(short.user.username).toBe(shortName);
    const longName = uniqueName('l').padEnd(LIMITS.usernameMax, '_').slice(0, LIMITS.usernameMax);
    const password = long(LIMITS.passwordMax);
    const full = await anon.auth.register.mutate({ username: longName, password, display_name: long(LIMITS.displayNameMax) });
    expect(full.user).toMatchObject({ username: longName, display_name: long(LIMITS.displayNameMax) });
    expect((await anon.auth.login.mutate({ username: longName, password })).user.id).toBe(full.user.id);
    expect((await anon.auth.login.mutate({ username: shortName, password: long(LIMITS.passwordMin) })).user.id).toBe(short.user.id);
  });

  test('usernames may use a-z, 0-9, "_", "." and "-"', async () => {
    const username = `${uniqueName('ok')}.a-b_9`.slice(-LIMITS.usernameMax);
    expect((await anon.auth.register.mutate({ username, password: PASSWORD })).user.username).toBe(username);
  });
});
