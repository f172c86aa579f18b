import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { RawSocket } from '../helpers/raw.ts';
import { Closer, groupWithChannel, type Registered, startTestServer, type TestServer, users } from '../helpers/fixtures.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
const closer = new Closer();
let alice: Registered;
let channelId: string;
beforeAll(async () => {
  server = await startTestServer();
  [alice] = (await users(server.url, 'alice')) as [Registered];
  channelId = (await groupWithChannel(alice, [])).channel.id;
}, 60_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

const socket = async () => closer.add(await RawSocket.open(server.url, { token: alice.token }));
const send = (content: string) => alice.client.messages.send.mutate({ channel_id: channelId, content });

describe('raw tRPC wire protocol', () => {
  test('malformed JSON is answered with a PARSE_ERROR for id null and the socket stays open', async () => {
    const raw = await socket();
    raw.send('{"id":1,"method":"query",');
    const err = await raw.frames.first((f) => f.json?.error !== undefined);
    expect(err.json.id).toBeNull();
    expect(err.json.error.code).toBe(-32700);
    expect(err.json.error.data.code).toBe('PARSE_ERROR');
    expect(typeof err.json.error.message).toBe('string');
    // A JSON frame that is not a tRPC message is refused the same way.
    raw.send({ id: 7, method: 'teleport' });
    expect((await raw.next(7, (j) => j.error !== undefined)).error.data.code).toBe('PARSE_ERROR');
    expect(raw.isOpen).toBe(true);
    const me = await raw.call(2, 'query', 'auth.me');
    expect(me).toEqual({ id: 2, result: { type: 'data', data: expect.objectContaining({ id: alice.id, username: alice.username }) } });
  });

  test('a frame over 64 KiB closes the socket with 1009; a frame of exactly 64 KiB is served', async () => {
    const raw = await socket();
    /** A messages.send request whose JSON text is exactly `bytes` long. */
    const frameOf = (id: number, bytes: number) => {
      const shell = (content: string) =>
        JSON.stringify({ id, method: 'mutation', params: { path: 'messages.send', input: { channel_id: channelId, content } } });
      const text = shell('x'.repeat(bytes - shell('').length));
      expect(Buffer.byteLength(text)).toBe(bytes);
      return text;
    };
    raw.send(frameOf(1, 64 * 1024));
    const atLimit = await raw.next(1, (j) => j.error !== undefined || j.result !== undefined);
    expect(atLimit.error.data.code).toBe('BAD_REQUEST');
    expect(raw.isOpen).toBe(true);

    raw.send(frameOf(2, 64 * 1024 + 1));
    const closed = await raw.closed;
    expect(closed.code).toBe(1009);
    expect(raw.for(2)).toEqual([]);
    const stored = await alice.client.messages.list.query({ channel_id: channelId });
    expect(stored.items.every((m) => m.content.length <= 4000)).toBe(true);
  });

  test('PING is answered with PONG', async () => {
    const raw = await socket();
    raw.send('PING');
    const pong = await raw.frames.first((f) => f.text === 'PONG');
    expect(pong.text).toBe('PONG');
    await raw.barrier();
    expect(raw.frames.items.filter((f) => f.text === 'PONG')).toHaveLength(2);
  });

  test('subscription.stop is answered with stopped and nothing more is sent for that id', async () => {
    const raw = await socket();
    expect((await raw.joinChannel(1, channelId)).result).toEqual({ type: 'started' });
    const m1 = await send('before stop');
    await raw.frames.until(() => raw.tracked(1).some(([s]) => s === m1.seq));
    raw.send({ id: 1, method: 'subscription.stop' });
    const stopped = await raw.next(1, (j) => j.result?.type === 'stopped');
    expect(stopped).toEqual({ id: 1, result: { type: 'stopped' } });
    expect(raw.for(1).at(-1)!.text).toBe('{"id":1,"result":{"type":"stopped"}}');

    const count = raw.for(1).length;
    await send('after stop');
    await alice.client.realtime.typing.mutate({ channel_id: channelId, is_typing: false });
    await raw.barrier();
    expect(raw.for(1)).toHaveLength(count);
    // The id can be used again afterwards.
    expect((await raw.joinChannel(1, channelId)).result).toEqual({ type: 'started' });
  });

  test('a second subscription with an id in use is BAD_REQUEST and the first one carries on, once', async () => {
    const raw = await socket();
    expect((await raw.joinChannel('dup', channelId)).result).toEqual({ type: 'started' });
    const second = await raw.subscribe('dup', 'realtime.me', undefined);
    expect(second.error.data.code).toBe('BAD_REQUEST');
    expect(second.error.code).toBe(-32600);
    const m = await send('still one');
    await raw.frames.until(() => raw.tracked('dup').some(([s]) => s === m.seq));
    await raw.barrier();
    expect(raw.tracked('dup').filter(([s]) => s === m.seq)).toHaveLength(1);
    expect(raw.tracked('dup').find(([s]) => s === m.seq)![1]).toEqual({ type: 'message', ...m });
  });

  test('a batch array of requests is answered request by request', async () => {
    const raw = await socket();
    raw.send([
      { id: 1, method: 'query', params: { path: 'auth.me' } },
      { id: 2, method: 'mutation', params: { path: 'messages.send', input: { channel_id: channelId, content: 'batched' } } },
      { id: 3, method: 'subscription', params: { path: 'realtime.channel', input: { channel_id: channelId } } },
      { id: 4, method: 'query', params: { path: 'no.such.procedure' } },
      { id: 5, method: 'query', params: { path: 'channels.get', input: { channel_id: 'not-a-uuid' } } },
    ]);
    const me = await raw.next(1, (j) => j.result !== undefined || j.error !== undefined);
    expect(me.result.data.id).toBe(alice.id);
    const sent = await raw.next(2, (j) => j.result !== undefined || j.error !== undefined);
    expect(sent.result.data).toMatchObject({ channel_id: channelId, content: 'batched', sender_id: alice.id });
    expect((await raw.next(3, (j) => j.result !== undefined)).result).toEqual({ type: 'started' });
    await raw.next(3, (j) => j.result?.data?.type === 'online_users');
    expect((await raw.next(4, (j) => j.error !== undefined)).error.data.code).toBe('NOT_FOUND');
    const bad = await raw.next(5, (j) => j.error !== undefined);
    expect(bad.error.data.code).toBe('BAD_REQUEST');
    expect(bad.error.data.issues[0].path).toEqual(['channel_id']);

    // The batched subscription is live.
    const m = await send('after batch');
    await raw.frames.until(() => raw.tracked(3).some(([s]) => s === m.seq));
    expect(raw.isOpen).toBe(true);
  });

  test('jsonrpc 2.0 requests get jsonrpc 2.0 answers', async () => {
    const raw = await socket();
    raw.send({ id: 1, jsonrpc: '2.0', method: 'query', params: { path: 'auth.me' } });
    const me = await raw.next(1, (j) => j.result !== undefined);
    expect(me.jsonrpc).toBe('2.0');
    expect(me.result.data.id).toBe(alice.id);
  });
});
