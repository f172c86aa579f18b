import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eq, isNull, like, sql } from 'drizzle-orm';
import { events } from '../../db/schema/index.ts';
import { channelStream, dmStream, userStream } from '../../realtime/streams.ts';
import { GatewaySocket } from '../helpers/gateway.ts';
import { RawSocket } from '../helpers/raw.ts';
import { Closer, groupWithChannel, users, type Registered } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { latestSeq, leaked } from './support.ts';

/**
 * Issue 11, item 1: a replay shows the present. A deleted message's text and an edited
 * message's earlier text are not recoverable from any stream, `last_event_id=0` included,
 * also for a member who joined after the change.
 */
setDefaultTimeout(60_000);

let server: TestServer;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer();
}, 240_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

/** Every tracked event a raw tRPC subscription replays from 0, once it has reached `last`. */
async function replayTrpc(user: Registered, path: string, input: object, last: number) {
  const raw = closer.add(await RawSocket.open(server.url, { token: user.token }));
  const started = await raw.subscribe(1, path, { ...input, last_event_id: '0' });
  expect(started.error).toBeUndefined();
  await raw.frames.until(() => raw.tracked(1).some(([seq]) => seq === last), 10_000, `seq ${last} on ${path}`);
  return raw.tracked(1).map(([, event]) => event);
}

/** Every event a gateway socket replays from 0, once it holds `count` events of `types`. */
async function replayGateway(path: 'channel' | 'dm', id: string, user: Registered, types: string[], count: number) {
  const socket = await (path === 'channel' ? GatewaySocket.channel : GatewaySocket.dm)(server.url, id, user.token, 0);
  closer.add(socket);
  await socket.events.until((items) => items.filter((e) => types.includes(e?.type)).length >= count, 10_000, `${count} replayed events`);
  return socket.events.items;
}

describe('channel messages', () => {
  test('edited and deleted text is gone from tRPC and gateway replays (also for a later member) and from realtime.me mentions', async () => {
    const [alice, bob, carol] = await users(server.url, 'alice', 'bob', 'carol');
    const { group, channel } = await groupWithChannel(alice!, [bob!]);
    const send = (content: string) => alice!.client.messages.send.mutate({ channel_id: channel.id, content });
    const first = await send('ORIGINAL-SECRET text');
    const doomed = await send(`@${bob!.username} DOOMED-SECRET text`);
    const edited = await alice!.client.messages.edit.mutate({ message_id: first.id, content: 'the present text' });
    await alice!.client.messages.delete.mutate({ message_id: doomed.id });
    // Carol joins after all of it.
    await alice!.client.groups.addMember.mutate({ group_id: group.id, user_id: carol!.id });
    const secrets = ['ORIGINAL-SECRET', 'DOOMED-SECRET'];

    for (const viewer of [bob!, carol!]) {
      const replay = await replayTrpc(viewer, 'realtime.channel', { channel_id: channel.id }, 4);
      expect(leaked(replay, secrets)).toEqual([]);
      // The replayed events carry the present: the edit's text, and a tombstone for the deleted one.
      expect(replay[0]).toMatchObject({ type: 'message', id: first.id, content: 'the present text', edited_at: edited.edited_at });
      expect(replay[1]).toEqual({ type: 'message_deleted', id: doomed.id, seq: doomed.seq, channel_id: channel.id });
      const gateway = await replayGateway('channel', channel.id, viewer, ['message', 'message_updated', 'message_deleted'], 4);
      expect(leaked(gateway, secrets)).toEqual([]);
      expect(gateway.some((e) => e.type === 'message' && e.content === 'the present text')).toBe(true);
    }

    // Bob was mentioned in the deleted message: his own stream no longer holds its text.
    const me = await replayTrpc(bob!, 'realtime.me', {}, await latestSeq(server, userStream(bob!.id)));
    expect(leaked(me, secrets)).toEqual([]);
    expect(me).toContainEqual({ type: 'message_deleted', id: doomed.id, seq: doomed.seq, channel_id: channel.id });

    // Nor does any stored event.
    expect(await server.database.db.select().from(events).where(like(events.payload, '%SECRET%'))).toEqual([]);
  });
});

describe('direct messages', () => {
  test('edited and deleted DM text is gone from realtime.dm (tRPC and gateway) and realtime.me replays of both users', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const send = (content: string) => alice!.client.dms.send.mutate({ user_id: bob!.id, content });
    const first = await send('DM-ORIGINAL-SECRET');
    const doomed = await send('DM-DOOMED-SECRET');
    await alice!.client.dms.edit.mutate({ message_id: first.id, content: 'dm present' });
    await alice!.client.dms.delete.mutate({ message_id: doomed.id });
    const secrets = ['DM-ORIGINAL-SECRET', 'DM-DOOMED-SECRET'];
    const pair = dmStream(alice!.id, bob!.id);

    for (const [viewer, partner] of [
      [alice!, bob!],
      [bob!, alice!],
    ] as const) {
      const dm = await replayTrpc(viewer, 'realtime.dm', { user_id: partner.id }, await latestSeq(server, pair));
      expect(leaked(dm, secrets)).toEqual([]);
      expect(dm[0]).toMatchObject({ type: 'dm_message', id: first.id, content: 'dm present' });
      expect(dm[1]).toEqual({ type: 'dm_message_deleted', id: doomed.id, seq: doomed.seq });
      const me = await replayTrpc(viewer, 'realtime.me', {}, await latestSeq(server, userStream(viewer.id)));
      expect(leaked(me, secrets)).toEqual([]);
      expect(me).toContainEqual({ type: 'dm_message_deleted', id: doomed.id, seq: doomed.seq });
      const gateway = await replayGateway('dm', partner.id, viewer, ['dm_message', 'dm_message_updated', 'dm_message_deleted'], 4);
      expect(leaked(gateway, secrets)).toEqual([]);
    }
  });
});

/** Runs a hand-written data migration's statements (from drizzle/) on the test database. */
async function runMigration(suffix: string) {
  const folder = fileURLToPath(new URL('../../../drizzle/', import.meta.url));
  const file = readdirSync(folder).find((f) => f.endsWith(suffix))!;
  for (const statement of readFileSync(folder + file, 'utf8').split('--> statement-breakpoint'))
    if (statement.trim()) await server.database.rows(sql.raw(statement));
}

describe('the data migrations', () => {
  test('clean events written before the fixes: key them on their message, scrub deleted and edited text, drop message copies', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const first = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: `@${bob!.username} OLD-EDITED-SECRET` });
    const doomed = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'OLD-DELETED-SECRET' });
    const dm = await alice!.client.dms.send.mutate({ user_id: bob!.id, content: 'OLD-DM-SECRET' });
    const stored = await server.database.db
      .select()
      .from(events)
      .where(sql`${events.entityId} in (${first.id}, ${doomed.id}, ${dm.id})`);
    // Before 0006 a channel message's event was stored in `events` too, as sent.
    const copies = [first, doomed].map((m) => ({
      stream: channelStream(channel.id),
      seq: m.seq,
      payload: JSON.stringify({ type: 'message', ...m }),
      entityId: null,
    }));
    await alice!.client.messages.edit.mutate({ message_id: first.id, content: 'edited later' });
    await alice!.client.messages.delete.mutate({ message_id: doomed.id });
    await alice!.client.dms.delete.mutate({ message_id: dm.id });
    // As a database deployed before the fix holds them: the original payloads, keyed on nothing.
    for (const e of stored)
      await server.database.db
        .update(events)
        .set({ payload: e.payload, entityId: null })
        .where(sql`${events.stream} = ${e.stream} and ${events.seq} = ${e.seq}`);
    await server.database.db
      .update(events)
      .set({ entityId: null })
      .where(sql`true`);
    await server.database.db.insert(events).values(copies);
    expect((await server.database.db.select().from(events).where(like(events.payload, '%OLD-%SECRET%'))).length).toBeGreaterThan(0);

    await runMigration('_hardening_data.sql');
    await runMigration('_message_events_in_messages.sql');

    expect(await server.database.db.select().from(events).where(like(events.payload, '%OLD-%SECRET%'))).toEqual([]);
    const keyed = await server.database.db.select().from(events).where(eq(events.entityId, first.id));
    // The message's own copy is gone (its row is the event now); what refers to it stays, keyed.
    expect(keyed.map((e) => JSON.parse(e.payload).type).sort()).toEqual(['mention', 'message_updated']);
    const channelCopies = await server.database.db
      .select()
      .from(events)
      .where(eq(events.stream, channelStream(channel.id)));
    expect(channelCopies.map((e) => e.seq)).not.toContain(first.seq);
    expect(channelCopies.map((e) => e.seq)).not.toContain(doomed.seq);
    for (const e of keyed) expect(e.payload).toContain('edited later');
    const replay = await replayTrpc(bob!, 'realtime.channel', { channel_id: channel.id }, 4);
    // The replay reads the messages from their rows: the edit's text, first's reply fields otherwise.
    expect(replay[0]).toEqual({ type: 'message', ...first, content: 'edited later', edited_at: replay[0].edited_at });
    expect(replay[1]).toEqual({ type: 'message_deleted', id: doomed.id, seq: doomed.seq, channel_id: channel.id });
    expect((await server.database.db.select().from(events).where(isNull(events.entityId))).length).toBeGreaterThan(0);
  });
});
