import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { wsClient } from '../helpers/clients.ts';
import { GatewaySocket } from '../helpers/gateway.ts';
import { Closer, follow, groupWithChannel, users, type Registered } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Issue 11, items 14 and 16: who learns that a user is online, and who hears of a join. */
setDefaultTimeout(120_000);

let server: TestServer;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer();
}, 240_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

const device = (user: Registered) => closer.add(wsClient(server.url, user.token));
const isPresence = (e: any) => e.type === 'dm_user_online' || e.type === 'dm_user_offline';

describe('presence is visible only to users who share a group or a conversation (item 14)', () => {
  test('a stranger watching realtime.dm sees the user as offline and hears no changes; a group-mate does', async () => {
    const [victim, mate, stranger] = await users(server.url, 'victim', 'mate', 'stranger');
    await groupWithChannel(victim!, [mate!]);
    // The victim is online before anyone looks.
    const victimDevice = device(victim!);
    await victimDevice.api.auth.me.query();

    const strangerWs = device(stranger!);
    const watch = follow(strangerWs.api.realtime.dm, { user_id: victim!.id });
    const mateWatch = follow(device(mate!).api.realtime.dm, { user_id: victim!.id });
    expect(await watch.events.first(isPresence)).toEqual({ type: 'dm_user_offline', user_id: victim!.id, username: victim!.username });
    expect((await mateWatch.events.first(isPresence)).type).toBe('dm_user_online');

    // The victim goes offline and comes back: the mate hears both, the stranger nothing.
    await victimDevice.close();
    await mateWatch.events.first((e) => e.type === 'dm_user_offline');
    const again = device(victim!);
    await again.api.auth.me.query();
    await mateWatch.events.count((e) => e.type === 'dm_user_online', 2);
    // Barrier: the stranger's own typing reaches the stranger's stream after anything sent before it.
    await strangerWs.api.realtime.dmTyping.mutate({ user_id: victim!.id, is_typing: true });
    await watch.events.first((e) => e.type === 'dm_typing');
    expect(watch.events.items.filter(isPresence)).toHaveLength(1);

    // The gateway's DM socket follows the same rule.
    const raw = closer.add(await GatewaySocket.dm(server.url, victim!.id, stranger!.token));
    expect(raw.events.items.find(isPresence)?.type).toBe('dm_user_offline');

    // Once they have a conversation, presence is shared.
    await stranger!.client.dms.send.mutate({ user_id: victim!.id, content: 'hello' });
    const later = follow(device(stranger!).api.realtime.dm, { user_id: victim!.id });
    expect((await later.events.first(isPresence)).type).toBe('dm_user_online');
  });

  test('groups.members shows online flags only to members (outsiders get NOT_FOUND)', async () => {
    const [owner, member, outsider] = await users(server.url, 'owner', 'member', 'outsider');
    const { group } = await groupWithChannel(owner!, [member!]);
    const list = await member!.client.groups.members.query({ group_id: group.id });
    expect(list.every((m) => typeof m.online === 'boolean')).toBe(true);
    await expect(outsider!.client.groups.members.query({ group_id: group.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });
});

describe('user_joined goes only to the other users, once per user (item 16)', () => {
  test('over tRPC and the gateway: the joining user never hears of their own join; a second device is not a new join', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const aliceWs = device(alice!);
    const a = follow(aliceWs.api.realtime.channel, { channel_id: channel.id });
    await a.events.first((e) => e.type === 'online_users');
    const bobWs = device(bob!);
    const b = follow(bobWs.api.realtime.channel, { channel_id: channel.id });
    await b.events.first((e) => e.type === 'online_users');
    expect(await a.events.first((e) => e.type === 'user_joined')).toEqual({
      type: 'user_joined',
      user_id: bob!.id,
      username: bob!.username,
      channel_id: channel.id,
    });
    // Bob's second device, over the gateway: no new join for Alice, and none for Bob about himself.
    const gw = closer.add(await GatewaySocket.channel(server.url, channel.id, bob!.token));

    // Barrier: a typing event from Alice reaches everyone after anything published before it.
    await alice!.client.realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    await Promise.all([a, b].map((s) => s.events.first((e) => e.type === 'typing')));
    await gw.first((e) => e.type === 'typing');
    expect(a.of('user_joined').map((e) => e.user_id)).toEqual([bob!.id]);
    expect(b.of('user_joined')).toEqual([]);
    expect(gw.of('user_joined')).toEqual([]);
  });
});
