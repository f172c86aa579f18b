import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { TRPCClient } from '@trpc/client';
import {
  type Account,
  type AppRouter,
  Closer,
  failure,
  groupWithChannel,
  httpClient,
  mintToken,
  startTestServer,
  type TestServer,
  unknownId,
  users,
  wsClient,
} from '../helpers/fixtures.ts';
import { LIMITS } from '../../../shared/limits.ts';

/**
 * `messages.send` over a WebSocket skips tRPC's middleware chain (`hotMutation`): the same call
 * made through a stock HTTP client and a stock WebSocket client must answer alike, value for
 * value and error for error, and a refused send must write nothing on either.
 */
setDefaultTimeout(30_000);

const any = (v: unknown) => v as any;
// Per user and counted before the membership check: enough for Alice's sends here.
const SEND_LIMIT = 30;

let server: TestServer;
let alice: Account;
let outsider: Account;
let channelId: string;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_MESSAGES: `${SEND_LIMIT}/600s` });
  [alice, outsider] = (await users(server.url, 'alice', 'outsider')) as [Account, Account];
  channelId = (await groupWithChannel(alice, [])).channel.id;
}, 60_000);
afterAll(async () => {
  await closer.closeAll();
  await server?.stop();
}, 30_000);

type Client = TRPCClient<AppRouter>;
const transports: Record<'http' | 'ws', (token?: string) => Client> = {
  http: (token) => httpClient(server.url, token),
  ws: (token) => closer.add(wsClient(server.url, token)).api,
};

/** The same call over both transports: each one's error, or the value if it succeeded. */
async function onBoth(token: string | undefined, call: (api: Client) => Promise<unknown>) {
  const [http, ws] = await Promise.all([failure(call(transports.http(token))), failure(call(transports.ws(token)))]);
  return { http, ws };
}

const history = async () => (await alice.client.messages.list.query({ channel_id: channelId })).items.map((m) => m.content);

describe('messages.send answers alike over HTTP and over a WebSocket', () => {
  test('a send over each transport returns the stored message with the next sequence', async () => {
    const viaHttp = await transports.http(alice.token).messages.send.mutate({ channel_id: channelId, content: 'over http' });
    const viaWs = await transports.ws(alice.token).messages.send.mutate({ channel_id: channelId, content: 'over ws' });
    expect(viaWs.seq).toBe(viaHttp.seq + 1);
    for (const [m, content] of [
      [viaHttp, 'over http'],
      [viaWs, 'over ws'],
    ] as const) {
      expect(Object.keys(m).sort()).toEqual(Object.keys(viaHttp).sort());
      expect(m).toMatchObject({ channel_id: channelId, sender_id: alice.id, sender_username: alice.username, content, edited_at: null });
      expect(m.reactions).toEqual([]);
      expect(m.attachments).toEqual([]);
    }
    const page = await alice.client.messages.list.query({ channel_id: channelId });
    expect(page.items.slice(0, 2)).toEqual([viaWs, viaHttp]); // newest first
  });

  test('a repeated nonce returns the first message on either transport', async () => {
    const nonce = `n-${crypto.randomUUID()}`;
    const first = await transports.ws(alice.token).messages.send.mutate({ channel_id: channelId, content: 'once', nonce });
    const again = await transports.http(alice.token).messages.send.mutate({ channel_id: channelId, content: 'twice?', nonce });
    const thrice = await transports.ws(alice.token).messages.send.mutate({ channel_id: channelId, content: 'thrice?', nonce });
    expect(again).toEqual(first);
    expect(thrice).toEqual(first);
    expect((await history()).filter((c) => ['once', 'twice?', 'thrice?'].includes(c))).toEqual(['once']);
  });

  const refusals: [label: string, token: () => Promise<string | undefined> | string | undefined, input: () => unknown, code: string][] = [
    ['no input', () => alice.token, () => undefined, 'BAD_REQUEST'],
    ['content missing', () => alice.token, () => ({ channel_id: channelId }), 'BAD_REQUEST'],
    ['content empty', () => alice.token, () => ({ channel_id: channelId, content: '   ' }), 'BAD_REQUEST'],
    ['content too long', () => alice.token, () => ({ channel_id: channelId, content: 'x'.repeat(LIMITS.contentMax + 1) }), 'BAD_REQUEST'],
    ['channel_id not a UUID', () => alice.token, () => ({ channel_id: 'general', content: 'hi' }), 'BAD_REQUEST'],
    ['content is a number', () => alice.token, () => ({ channel_id: channelId, content: 42 }), 'BAD_REQUEST'],
    ['NUL in content', () => alice.token, () => ({ channel_id: channelId, content: 'a\u0000b' }), 'BAD_REQUEST'],
    ['unknown channel', () => alice.token, () => ({ channel_id: unknownId(), content: 'hi' }), 'NOT_FOUND'],
    ["someone else's channel", () => outsider.token, () => ({ channel_id: channelId, content: 'let me in' }), 'NOT_FOUND'],
    ['no token', () => undefined, () => ({ channel_id: channelId, content: 'anonymous' }), 'UNAUTHORIZED'],
    ['a forged token', () => `${alice.token.slice(0, -4)}AAAA`, () => ({ channel_id: channelId, content: 'forged' }), 'UNAUTHORIZED'],
    ['an expired token', () => mintToken(alice, -60_000), () => ({ channel_id: channelId, content: 'too late' }), 'UNAUTHORIZED'],
  ];
  for (const [label, token, input, code] of refusals) {
    test(`${label}: ${code}, the same error on both, nothing written`, async () => {
      const before = await history();
      const { http, ws } = await onBoth(await token(), (api) => api.messages.send.mutate(any(input())));
      expect(http.code).toBe(code);
      expect(ws).toEqual(http);
      if (code === 'BAD_REQUEST') expect(http.issues?.length).toBeGreaterThan(0);
      expect(await history()).toEqual(before);
    });
  }

  test('the send throttle refuses alike, with when to retry', async () => {
    const [sender] = await users(server.url, 'throttled');
    const channel = (await groupWithChannel(sender!, [])).channel.id;
    const send = (api: Client, i: number) => api.messages.send.mutate({ channel_id: channel, content: `m${i}` });
    const [http, ws] = [transports.http(sender!.token), transports.ws(sender!.token)];
    for (let i = 0; i < SEND_LIMIT; i++) await send(i % 2 ? ws : http, i);
    const refused = { http: await failure(send(http, 98)), ws: await failure(send(ws, 99)) };
    expect(refused.http).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(refused.http.retryAfterSeconds).toBeGreaterThan(0);
    expect({ ...refused.ws, retryAfterSeconds: 1 }).toEqual({ ...refused.http, retryAfterSeconds: 1 });
    expect(refused.ws.retryAfterSeconds).toBeGreaterThan(0);
    const page = await sender!.client.messages.list.query({ channel_id: channel });
    expect(page.items.map((m) => m.content).reverse()).toEqual(Array.from({ length: SEND_LIMIT }, (_, i) => `m${i}`));
  });
});
