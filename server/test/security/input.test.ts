import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { createLogger } from '../../log.ts';
import { httpClient } from '../helpers/clients.ts';
import { expectCode } from '../helpers/fixtures.ts';
import { GatewaySocket, startLoggedServer, type LoggedTestServer } from '../helpers/gateway.ts';
import { Closer, groupWithChannel, users } from '../helpers/fixtures.ts';

/** Issue 11, items 10 and 13: text PostgreSQL cannot store, logs without secrets, nonces scoped to their place. */
setDefaultTimeout(120_000);

let server: LoggedTestServer;
const closer = new Closer();
beforeAll(async () => {
  server = await startLoggedServer();
}, 240_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

const UNSTORABLE = ['lone \ud800 high', 'lone \udc00 low', 'nul \u0000 char'];

describe('text PostgreSQL cannot store (item 10)', () => {
  test('lone surrogates and NUL are BAD_REQUEST in content, nonce, edit and dms.send; a well-formed pair is fine', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const api = alice!.client;
    const ok = await api.messages.send.mutate({ channel_id: channel.id, content: 'emoji 😀 pair' });
    expect(ok.content).toBe('emoji 😀 pair');
    for (const bad of UNSTORABLE) {
      await expectCode(api.messages.send.mutate({ channel_id: channel.id, content: bad }), 'BAD_REQUEST');
      await expectCode(api.messages.send.mutate({ channel_id: channel.id, content: 'fine', nonce: bad }), 'BAD_REQUEST');
      await expectCode(api.messages.edit.mutate({ message_id: ok.id, content: bad }), 'BAD_REQUEST');
      await expectCode(api.dms.send.mutate({ user_id: bob!.id, content: bad }), 'BAD_REQUEST');
      await expectCode(api.dms.send.mutate({ user_id: bob!.id, content: 'fine', nonce: bad }), 'BAD_REQUEST');
      await expectCode(api.groups.create.mutate({ name: bad }), 'BAD_REQUEST');
    }
    expect(server.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });

  test('the gateway answers such frames with an error and stays open', async () => {
    const [alice] = await users(server.url, 'alice');
    const { channel } = await groupWithChannel(alice!, []);
    const socket = closer.add(await GatewaySocket.channel(server.url, channel.id, alice!.token));
    for (const bad of UNSTORABLE) {
      const error = await socket.expectError({ type: 'message', content: bad });
      expect(error.message).toContain('content');
      await socket.expectError({ type: 'message', content: 'fine', nonce: bad });
    }
    expect(socket.isOpen).toBe(true);
    expect(server.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });

  test('logs never carry message content, passwords or tokens (debug level, a whole session)', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'CONTENT-SECRET-1' });
    await alice!.client.dms.send.mutate({ user_id: bob!.id, content: 'CONTENT-SECRET-2' });
    const session = await httpClient(server.url).auth.login.mutate({ username: alice!.username, password: 'correct horse battery' });
    await expectCode(
      httpClient(server.url).auth.login.mutate({ username: alice!.username, password: 'WRONG-PASSWORD-SECRET' }),
      'UNAUTHORIZED',
    );
    const secrets = [
      'CONTENT-SECRET',
      'correct horse battery',
      'WRONG-PASSWORD-SECRET',
      alice!.token,
      session.access_token,
      session.refresh_token,
    ];
    const all = server.logs.join('\n');
    expect(secrets.filter((s) => all.includes(s))).toEqual([]);
  });

  test('an unexpected database error is logged without its query parameters', () => {
    const lines: string[] = [];
    const log = createLogger('error', (l) => lines.push(l));
    const cause = new Error('invalid byte sequence');
    log.error('unhandled error', {
      path: 'messages.send',
      error: new DrizzleQueryError('insert into messages values ($1, $2)', ['PARAM-SECRET', 'x'], cause),
    });
    log.error('fields', { content: 'FIELD-SECRET', input: { password: 'FIELD-SECRET', token: 'FIELD-SECRET' } });
    expect(lines.join('\n')).not.toContain('SECRET');
    expect(lines[0]).toContain('insert into messages');
    expect(lines[0]).toContain('invalid byte sequence');
  });
});

describe('nonces (item 13)', () => {
  test('a nonce is scoped to its channel, and a removed member re-sending one gets NOT_FOUND, not the message', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const { group, channel } = await groupWithChannel(alice!, [bob!]);
    const other = await alice!.client.channels.create.mutate({ group_id: group.id, name: 'other', type: 'TEXT' });
    const first = await bob!.client.messages.send.mutate({ channel_id: channel.id, content: 'one', nonce: 'n-1' });
    expect((await bob!.client.messages.send.mutate({ channel_id: channel.id, content: 'one again', nonce: 'n-1' })).id).toBe(first.id);
    const elsewhere = await bob!.client.messages.send.mutate({ channel_id: other.id, content: 'two', nonce: 'n-1' });
    expect(elsewhere.id).not.toBe(first.id);
    expect(elsewhere).toMatchObject({ channel_id: other.id, content: 'two' });

    await alice!.client.groups.removeMember.mutate({ group_id: group.id, user_id: bob!.id });
    await expectCode(bob!.client.messages.send.mutate({ channel_id: channel.id, content: 'one', nonce: 'n-1' }), 'NOT_FOUND');
  });

  test('a DM nonce is scoped to its conversation', async () => {
    const [alice, bob, carol] = await users(server.url, 'alice', 'bob', 'carol');
    const toBob = await alice!.client.dms.send.mutate({ user_id: bob!.id, content: 'hi bob', nonce: 'd-1' });
    expect((await alice!.client.dms.send.mutate({ user_id: bob!.id, content: 'hi bob', nonce: 'd-1' })).id).toBe(toBob.id);
    const toCarol = await alice!.client.dms.send.mutate({ user_id: carol!.id, content: 'hi carol', nonce: 'd-1' });
    expect(toCarol.id).not.toBe(toBob.id);
    expect(toCarol).toMatchObject({ recipient_id: carol!.id, content: 'hi carol' });
  });
});
