import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { LIMITS } from '../../../shared/limits.ts';
import { httpClient, uniqueName } from '../helpers/clients.ts';
import { expectCode } from '../helpers/fixtures.ts';
import { groupWithChannel, users } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { mutateFrom, rawHttp } from './support.ts';

/**
 * Issue 11, items 5 and 11, and RATE_LIMITS=off. Clients at different addresses are played by
 * connecting from other loopback addresses (127.0.0.2, 127.0.0.3).
 */
setDefaultTimeout(240_000);

const PASSWORD = 'correct horse battery';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_REGISTRATIONS: '3/3600s' });
}, 240_000);
afterAll(() => server?.stop(), 30_000);

const login = (from: string, username: string, password: string) => mutateFrom(server.port, from, 'auth.login', { username, password });
const registerFrom = (from: string) => mutateFrom(server.port, from, 'auth.register', { username: uniqueName('reg'), password: PASSWORD });

describe('failed logins slow the guesser, not the owner (item 5)', () => {
  test("a stranger's wrong guesses from one address never lock out the right password from another", async () => {
    const owner = await registerFrom('127.0.0.1');
    expect(owner.code).toBe('OK');
    const username = owner.data.user.username;
    const guesses = [];
    for (let i = 0; i < 12; i++) guesses.push((await login('127.0.0.2', username, `wrong guess ${i}`)).code);
    expect(guesses.slice(0, 10)).toEqual(Array(10).fill('UNAUTHORIZED'));
    expect(guesses.slice(10)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    // The guesser is slowed even with the right password...
    expect((await login('127.0.0.2', username, PASSWORD)).code).toBe('TOO_MANY_REQUESTS');
    // ...the owner, elsewhere, is not.
    const mine = await login('127.0.0.1', username, PASSWORD);
    expect(mine.code).toBe('OK');
    expect(mine.data.user.username).toBe(username);
  });
});

describe('registration (item 11)', () => {
  test('is rate-limited per address: the 4th of RATE_LIMIT_REGISTRATIONS=3/3600s is TOO_MANY_REQUESTS, other addresses unaffected', async () => {
    // The test above registered one account from 127.0.0.1; 127.0.0.3 starts fresh.
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await registerFrom('127.0.0.3')).code);
    expect(codes).toEqual(['OK', 'OK', 'OK', 'TOO_MANY_REQUESTS']);
    expect((await registerFrom('127.0.0.4')).code).toBe('OK');
  });
});

describe('RATE_LIMITS=off', () => {
  test('turns off every rate limit (messages, registration, login, typing) while size limits stay', async () => {
    await using open = await startTestServer({
      RATE_LIMITS: 'off',
      RATE_LIMIT_MESSAGES: '1/60s',
      RATE_LIMIT_REGISTRATIONS: '1/3600s',
    });
    const [alice, bob] = await users(open.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    for (let i = 0; i < 5; i++) await alice!.client.messages.send.mutate({ channel_id: channel.id, content: `m${i}` });
    for (let i = 0; i < 50; i++) await alice!.client.realtime.typing.mutate({ channel_id: channel.id, is_typing: i % 2 === 0 });
    const anon = httpClient(open.url);
    for (let i = 0; i < 12; i++)
      await expectCode(anon.auth.login.mutate({ username: alice!.username, password: `nope ${i}` }), 'UNAUTHORIZED');
    expect((await anon.auth.login.mutate({ username: alice!.username, password: PASSWORD })).user.id).toBe(alice!.id);
    const head = `POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${LIMITS.requestBodyMaxBytes + 1}\r\n\r\n`;
    expect((await rawHttp(open.port, head)).status).toBe(413);
  });

  test('RATE_LIMIT_MESSAGES keeps working on its own', async () => {
    await using limited = await startTestServer({ RATE_LIMIT_MESSAGES: '2/60s' });
    const [alice] = await users(limited.url, 'alice');
    const { channel } = await groupWithChannel(alice!, []);
    for (let i = 0; i < 2; i++) await alice!.client.messages.send.mutate({ channel_id: channel.id, content: `m${i}` });
    await expectCode(alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'm3' }), 'TOO_MANY_REQUESTS');
  });
});
