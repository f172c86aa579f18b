import { afterAll, beforeAll, expect, test } from 'bun:test';
import { Collector, register, startTestServer, type TestServer, wsClient } from '../helpers/fixtures.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

test('a stock tRPC client subscribes over the WebSocket and receives a sent message', async () => {
  const alice = await register(server.url, 'alice');
  const group = await alice.client.groups.create.mutate({ name: 'G' });
  const channel = await alice.client.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT' });
  const ws = wsClient(server.url, alice.token);
  const events = new Collector<any>();
  const sub = ws.api.realtime.channel.subscribe({ channel_id: channel.id }, { onData: events.push, onError: events.fail });
  await events.first((e) => e.type === 'online_users');
  const sent = await ws.api.messages.send.mutate({ channel_id: channel.id, content: 'hello' });
  const got = await events.first((e) => e.data?.type === 'message');
  expect(got.id).toBe(String(sent.seq));
  expect(got.data.content).toBe('hello');
  expect(events.items[0]).toEqual({ type: 'online_users', users: [alice.id], channel_id: channel.id });
  sub.unsubscribe();
  ws.close();
});
