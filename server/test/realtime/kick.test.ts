import { describe, expect, setDefaultTimeout, test } from 'bun:test';
import { follow, groupWithChannel, type Registered, users, useTestServer } from '../helpers/fixtures.ts';
import { RawSocket } from '../helpers/raw.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

const t = useTestServer();
const code = (err: unknown) => (err as { data?: { code?: string } }).data?.code;

const present = (user: Registered, channelId: string) => t.watchChannel(user, channelId);

describe('removal from a group', () => {
  test('groups.removeMember ends every live channel subscription of the removed user with NOT_FOUND', async () => {
    const [alice, bob, carol] = await users(t.server.url, 'alice', 'bob', 'carol');
    const { group, channel } = await groupWithChannel(alice!, [bob!, carol!]);
    const second = await alice!.client.channels.create.mutate({ group_id: group.id, name: 'second', type: 'VOICE' });
    const { channel: elsewhere } = await groupWithChannel(carol!, [bob!]);

    const a = await present(alice!, channel.id);
    const b1 = await present(bob!, channel.id);
    const b2 = await present(bob!, second.id);
    const bOther = await present(bob!, elsewhere.id);
    const bDm = follow(b1.ws.api.realtime.dm, { user_id: alice!.id });
    await bDm.events.first((e) => e.type === 'dm_user_online');

    expect(await alice!.client.groups.removeMember.mutate({ group_id: group.id, user_id: bob!.id })).toEqual({ ok: true });
    for (const s of [b1.sub, b2.sub]) expect(code(await s.events.error())).toBe('NOT_FOUND');
    // Others learn he left.
    const left = await a.sub.events.first((e) => e.type === 'user_left' && e.user_id === bob!.id);
    expect(left).toEqual({ type: 'user_left', user_id: bob!.id, username: bob!.username, channel_id: channel.id });

    // Nothing more reaches him from the group; everything else still does.
    const counts = [b1.sub.events.items.length, b2.sub.events.items.length];
    const after = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'he is gone' });
    await alice!.client.realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    await a.sub.events.first((e) => e._seq === after.seq);
    const other = await carol!.client.messages.send.mutate({ channel_id: elsewhere.id, content: 'still here' });
    await bOther.sub.events.first((e) => e._seq === other.seq);
    const dm = await alice!.client.dms.send.mutate({ user_id: bob!.id, content: 'dm still works' });
    await bDm.events.first((e) => e._seq === dm.seq);
    await b1.ws.api.auth.me.query();
    await b2.ws.api.auth.me.query();
    expect([b1.sub.events.items.length, b2.sub.events.items.length]).toEqual(counts);
    expect(bOther.sub.events.errors).toEqual([]);
    expect(a.sub.events.errors).toEqual([]);

    // And he cannot come back in.
    const again = follow(b1.ws.api.realtime.channel, { channel_id: channel.id });
    expect(code(await again.events.error())).toBe('NOT_FOUND');
    expect(again.events.items).toEqual([]);
  });

  test("leaving (removeMember on oneself) ends one's own subscriptions too", async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { group, channel } = await groupWithChannel(alice!, [bob!]);
    const b = await present(bob!, channel.id);
    await bob!.client.groups.removeMember.mutate({ group_id: group.id, user_id: bob!.id });
    expect(code(await b.sub.events.error())).toBe('NOT_FOUND');
  });

  test('on the raw wire the subscription ends with an error frame for its id and nothing after it', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { group, channel } = await groupWithChannel(alice!, [bob!]);
    // Alice uses the same subscription id, so before the kick both share one topic frame.
    const other = t.closer.add(await RawSocket.open(t.server.url, { token: alice!.token }));
    const raw = t.closer.add(await RawSocket.open(t.server.url, { token: bob!.token }));
    for (const r of [other, raw]) {
      expect((await r.subscribe('s', 'realtime.channel', { channel_id: channel.id })).result).toEqual({ type: 'started' });
      await r.frames.first((f) => f.json?.result?.data?.type === 'online_users');
    }
    const shared = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'both' });
    for (const r of [other, raw]) await r.frames.until(() => r.tracked('s').some(([seq]) => seq === shared.seq));

    await alice!.client.groups.removeMember.mutate({ group_id: group.id, user_id: bob!.id });
    const end = await raw.frames.first((f) => f.json?.id === 's' && f.json.error !== undefined);
    expect(end.json.error.data.code).toBe('NOT_FOUND');
    expect(end.json.error.code).toBe(-32004);
    expect(end.json.error.data.httpStatus).toBe(404);
    const after = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'x' });
    await alice!.client.realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    await other.frames.until(() => other.data('s').some((f) => f.json.result.data?.type === 'typing'));
    expect(other.tracked('s').map(([seq]) => seq)).toEqual([shared.seq, after.seq]);
    await raw.barrier();
    expect(raw.for('s').at(-1)).toBe(end);
    expect(raw.isOpen).toBe(true);
    // The id is free again; re-subscribing is refused.
    expect((await raw.subscribe('s', 'realtime.channel', { channel_id: channel.id })).error.data.code).toBe('NOT_FOUND');
  });
});

describe('deletions', () => {
  test('a deleted channel ends all its streams; other channels of the group keep going', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { group, channel } = await groupWithChannel(alice!, [bob!]);
    const kept = await alice!.client.channels.create.mutate({ group_id: group.id, name: 'kept', type: 'TEXT' });
    const a = await present(alice!, channel.id);
    const b = await present(bob!, channel.id);
    const k = await present(bob!, kept.id);

    await alice!.client.channels.delete.mutate({ channel_id: channel.id });
    for (const s of [a.sub, b.sub]) expect(code(await s.events.error())).toBe('NOT_FOUND');
    const m = await alice!.client.messages.send.mutate({ channel_id: kept.id, content: 'kept' });
    expect((await k.sub.events.first((e) => e._seq === m.seq)).content).toBe('kept');
    expect(k.sub.events.errors).toEqual([]);
    expect(await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'gone' }).catch(code)).toBe('NOT_FOUND');
  });

  test('a deleted group ends the streams of all its channels', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { group, channel } = await groupWithChannel(alice!, [bob!]);
    const voice = await alice!.client.channels.create.mutate({ group_id: group.id, name: 'voice', type: 'VOICE' });
    const subs = [await present(alice!, channel.id), await present(bob!, channel.id), await present(bob!, voice.id)];
    await alice!.client.groups.delete.mutate({ group_id: group.id });
    for (const s of subs) expect(code(await s.sub.events.error())).toBe('NOT_FOUND');
  });
});
