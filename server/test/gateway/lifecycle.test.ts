import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { LIMITS } from '../../../shared/limits.ts';
import {
  Closer,
  eventually,
  groupWithChannel,
  mintToken,
  type Registered,
  sendMany,
  startTestServer,
  type TestServer,
  users,
} from '../helpers/fixtures.ts';
import { closedWithin, GatewaySocket, gatewayPath, upgradeAttempt } from '../helpers/gateway.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

/** Resume, kicks, deleted channels and token expiry on gateway sockets. */

let server: TestServer;
const closer = new Closer();
let alice: Registered, bob: Registered, carol: Registered;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, carol] = (await users(server.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
}, 60_000);
afterEach(() => closer.closeAll(), 30_000);
afterAll(() => server?.stop(), 30_000);

const durable = new Set(['message', 'message_updated', 'message_deleted', 'reaction_added', 'reaction_removed', 'dm_message']);
const durableEvents = (s: GatewaySocket) => s.events.items.filter((e) => durable.has(e.type));

describe('resume with ?last_event_id', () => {
  test('a channel socket replays exactly what it missed, in order, then continues live', async () => {
    const { channel } = await groupWithChannel(alice, [bob]);
    const first = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    const seen = await sendMany(bob.client, channel.id, 3, 1, (i) => `before ${i}`);
    await first.events.count((e) => e.type === 'message', 3);
    expect(first.of('message').map((m) => m.seq)).toEqual(seen.map((m) => m.seq));
    const last = first.of('message').at(-1)!.seq as number;
    await first.close();

    // Missed while away: new messages, an edit and a delete.
    const m4 = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'away 4' });
    const m4edited = await bob.client.messages.edit.mutate({ message_id: m4.id, content: 'away 4 (edited)' });
    const m5 = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'away 5' });
    await bob.client.messages.delete.mutate({ message_id: m5.id });
    const m6 = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'away 6' });

    const again = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token, last));
    expect(again.events.items[0].type).toBe('online_users');
    await again.events.count((e) => durable.has(e.type), 5);
    // A replay shows the present: m4 with its edited text, m5 as a tombstone (CONTRACT.md v2).
    const deleted = { type: 'message_deleted', id: m5.id, seq: m5.seq, channel_id: channel.id };
    expect(durableEvents(again)).toEqual([
      { type: 'message', ...m4, content: m4edited.content, edited_at: m4edited.edited_at },
      { type: 'message_updated', ...m4edited },
      deleted,
      deleted,
      { type: 'message', ...m6 },
    ]);
    // Then live, with no duplicates of anything replayed.
    const m7 = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'live 7' });
    await again.first((e) => e.type === 'message' && e.id === m7.id);
    const ids = again.of('message').map((m) => m.id);
    expect(ids).toEqual([m4.id, m6.id, m7.id]);
    expect(again.of('message').map((m) => m.seq)).toEqual([m4.seq, m6.seq, m7.seq]);
  });

  test('last_event_id=0 replays the whole stream in order', async () => {
    const { channel } = await groupWithChannel(alice, [bob]);
    const sent = await sendMany(bob.client, channel.id, 12, 4, (i) => `all ${i}`);
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token, 0));
    await s.events.count((e) => e.type === 'message', 12);
    expect(s.of('message')).toEqual(sent.map((m) => ({ type: 'message', ...m })));
    expect(s.events.items[0].type).toBe('online_users');
  });

  test('without last_event_id nothing is replayed', async () => {
    const { channel } = await groupWithChannel(alice, [bob]);
    await sendMany(bob.client, channel.id, 3, 3, (i) => `old ${i}`);
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    const live = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'new' });
    await s.first((e) => e.type === 'message' && e.id === live.id);
    expect(s.of('message')).toEqual([{ type: 'message', ...live }]);
  });

  test('a DM socket replays missed DMs in order, after the partner presence event', async () => {
    const first = closer.add(await GatewaySocket.dm(server.url, bob.id, carol.token));
    const d1 = await bob.client.dms.send.mutate({ user_id: carol.id, content: 'dm 1' });
    await first.first((e) => e.type === 'dm_message' && e.id === d1.id);
    await first.close();
    const d2 = await bob.client.dms.send.mutate({ user_id: carol.id, content: 'dm 2' });
    const d3 = await carol.client.dms.send.mutate({ user_id: bob.id, content: 'dm 3' });
    const d4 = await bob.client.dms.send.mutate({ user_id: carol.id, content: 'dm 4' });

    const again = closer.add(await GatewaySocket.dm(server.url, bob.id, carol.token, d1.seq));
    expect(['dm_user_online', 'dm_user_offline']).toContain(again.events.items[0].type);
    await again.events.count((e) => e.type === 'dm_message', 3);
    expect(again.of('dm_message')).toEqual([d2, d3, d4].map((d) => ({ type: 'dm_message', ...d })));
    expect(again.of('dm_message').map((d) => d.seq)).toEqual([d2.seq, d3.seq, d4.seq]);
  });

  test('more than 1000 missed: resync_required with the latest seq, then live', async () => {
    const { channel } = await groupWithChannel(alice, [bob]);
    const sent = await sendMany(bob.client, channel.id, LIMITS.resumeMaxEvents + 1, 50);
    const latest = sent.at(-1)!.seq;
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token, 0));
    expect(await s.first((e) => e.type === 'resync_required')).toEqual({ type: 'resync_required', latest_seq: latest });
    expect(s.of('message')).toEqual([]);
    const live = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'after resync' });
    expect(await s.first((e) => e.type === 'message')).toEqual({ type: 'message', ...live });
  }, 120_000);
});

describe('the server ends gateway sockets', () => {
  /** The last events before the close: an error frame, then nothing. */
  async function expectEnded(s: GatewaySocket) {
    const closed = await closedWithin(s);
    const last = s.events.items.at(-1);
    expect(last).toEqual({ type: 'error', message: expect.any(String) });
    expect(last.message.length).toBeGreaterThan(0);
    expect(s.of('error')).toHaveLength(1);
    return closed;
  }

  test('a kick (groups.removeMember) sends an error frame and closes the socket; the user cannot come back', async () => {
    const { group, channel } = await groupWithChannel(alice, [bob]);
    const watcher = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    const kicked = closer.add(await GatewaySocket.channel(server.url, channel.id, bob.token));
    const dm = closer.add(await GatewaySocket.dm(server.url, alice.id, bob.token));
    await watcher.first((e) => e.type === 'user_joined' && e.user_id === bob.id);

    expect(await alice.client.groups.removeMember.mutate({ group_id: group.id, user_id: bob.id })).toEqual({ ok: true });
    const closed = await expectEnded(kicked);
    expect(closed.code).toBe(4004);
    expect(await watcher.first((e) => e.type === 'user_left' && e.user_id === bob.id)).toEqual({
      type: 'user_left',
      user_id: bob.id,
      username: bob.username,
      channel_id: channel.id,
    });
    // Nothing of the group reaches the kicked socket any more, and it cannot reconnect.
    expect((await upgradeAttempt(server.url, gatewayPath('channel', channel.id, bob.token))).status).toBe(404);
    // A DM socket is not about the group: it stays open.
    expect(dm.isOpen).toBe(true);
    dm.send({ type: 'dm_message', content: 'still friends?' });
    await dm.first((e) => e.type === 'dm_message' && e.content === 'still friends?');
    // The watcher stays.
    expect(watcher.isOpen).toBe(true);
    expect((await bob.client.groups.list.query()).map((g) => g.id)).not.toContain(group.id);
  });

  test("leaving a group oneself ends one's own gateway sockets in it", async () => {
    const { group, channel } = await groupWithChannel(alice, [bob]);
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, bob.token));
    await bob.client.groups.removeMember.mutate({ group_id: group.id, user_id: bob.id });
    expect((await expectEnded(s)).code).toBe(4004);
  });

  test('a deleted channel ends every gateway socket on it', async () => {
    const { channel } = await groupWithChannel(alice, [bob]);
    const a = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    const b = closer.add(await GatewaySocket.channel(server.url, channel.id, bob.token));
    await alice.client.channels.delete.mutate({ channel_id: channel.id });
    await expectEnded(a);
    await expectEnded(b);
  });

  test('a socket whose access token expires is closed with 4001 and its user leaves', async () => {
    const { channel } = await groupWithChannel(alice, [carol]);
    const watcher = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, await mintToken(carol, 2000)));
    const closed = await closedWithin(s, 15_000);
    expect(closed.code).toBe(4001);
    expect(await watcher.first((e) => e.type === 'user_left' && e.user_id === carol.id)).toMatchObject({ user_id: carol.id });
  }, 20_000);

  test('a gateway connection makes its user online; closing it makes them offline', async () => {
    const [dave] = (await users(server.url, 'dave')) as [Registered];
    const { group, channel } = await groupWithChannel(alice, [dave]);
    const online = async () => (await alice.client.groups.members.query({ group_id: group.id })).find((m) => m.user.id === dave.id)!.online;
    expect(await online()).toBe(false);
    const s = await GatewaySocket.channel(server.url, channel.id, dave.token);
    expect(await online()).toBe(true);
    await s.close();
    await eventually(async () => (await online()) === false, 5000, 'dave offline after closing');
  });
});
