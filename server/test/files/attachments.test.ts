import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { LIMITS } from '../../../shared/limits.ts';
import { messages } from '../../db/schema/index.ts';
import { wsClient } from '../helpers/clients.ts';
import { expectCode } from '../helpers/fixtures.ts';
import { GatewaySocket, gatewayPath } from '../helpers/gateway.ts';
import { follow } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { download, form, png, uploader, type Uploader } from './support.ts';

// Real servers on a shared, busy machine: allow for slow starts and slow hashing.
setDefaultTimeout(60_000);
let server: TestServer;
let ada: Uploader;
let bob: Uploader;
let eve: Uploader;
let groupId: string;
let channelId: string;
const closers: (() => void)[] = [];

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_UPLOADS: 'off' });
  [ada, bob, eve] = await Promise.all([uploader(server.url, 'ada'), uploader(server.url, 'bob'), uploader(server.url, 'eve')]);
  const group = await ada.api.groups.create.mutate({ name: 'engines' });
  groupId = group.id;
  await ada.api.groups.addMember.mutate({ group_id: group.id, user_id: bob.id });
  channelId = (await ada.api.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT' })).id;
}, 180_000);
afterAll(async () => {
  for (const close of closers) close();
  await server.stop();
});

const upload = (who: Uploader, name = 'pic.png', bytes: Uint8Array<ArrayBuffer> = png(4, 3)) =>
  who.api.files.upload.mutate(form(bytes, name, 'image/png'));
const messageCount = async () =>
  (await server.database.db.select({ id: messages.id }).from(messages).where(eq(messages.channelId, channelId))).length;

describe('attachments on channel messages', () => {
  test('a message carries its files in order: signed per caller in replies and pages, without URLs in events (tRPC and raw gateway)', async () => {
    const bobWs = wsClient(server.url, bob.token);
    closers.push(bobWs.close);
    const live = follow(bobWs.api.realtime.channel, { channel_id: channelId });
    await live.started;
    const raw = await GatewaySocket.open(server.url, gatewayPath('channel', channelId, bob.token));
    closers.push(() => raw.ws.close());

    const [a, b] = [await upload(ada, 'a.png'), await upload(ada, 'b.png', png(9, 5))];
    const sent = await ada.api.messages.send.mutate({ channel_id: channelId, content: 'look', attachment_ids: [b.id, a.id] });
    expect(sent.attachments.map((f) => [f.id, f.width, f.height])).toEqual([
      [b.id, 9, 5],
      [a.id, 4, 3],
    ]);
    expect(sent.attachments.every((f) => f.url?.includes(`u=${ada.id}`))).toBe(true);

    const event = await live.events.first((e) => e.type === 'message' && e.id === sent.id);
    expect(event.attachments).toEqual(sent.attachments.map((f) => ({ ...f, url: null })));
    const gatewayEvent = await raw.events.first((e) => e.type === 'message' && e.id === sent.id);
    expect(gatewayEvent.attachments).toEqual(event.attachments);
    // A replay reads the message back from its row: the same event, files in order, no URLs.
    const replay = follow(bobWs.api.realtime.channel, { channel_id: channelId, last_event_id: '0' });
    expect(await replay.events.first((e) => e.type === 'message' && e.id === sent.id)).toEqual(event);
    replay.unsubscribe();

    const page = await bob.api.messages.list.query({ channel_id: channelId });
    const listed = page.items.find((m) => m.id === sent.id)!;
    // The page shows each file as the send did (same fields, same order), signed for the reader.
    expect(listed.attachments.map((f) => ({ ...f, url: null }))).toEqual(event.attachments);
    expect(listed.attachments[0]!.url).toContain(`u=${bob.id}`);
    expect((await download(server.url, listed.attachments[0]!.url!)).status).toBe(200);
    // files.get refreshes the URL an event could not carry.
    const fresh = await bob.api.files.get.query({ file_id: a.id });
    expect((await download(server.url, fresh.url!)).status).toBe(200);
  });

  test('plain messages carry `attachments: []` everywhere, the group-commit hot path included', async () => {
    const bobWs = wsClient(server.url, bob.token);
    closers.push(bobWs.close);
    const live = follow(bobWs.api.realtime.channel, { channel_id: channelId });
    await live.started;
    const sent = await ada.api.messages.send.mutate({ channel_id: channelId, content: 'just words' });
    expect(sent.attachments).toEqual([]);
    expect((await live.events.first((e) => e.id === sent.id)).attachments).toEqual([]);
  });

  test('content may be empty with attachments, not without', async () => {
    const file = await upload(ada);
    const sent = await ada.api.messages.send.mutate({ channel_id: channelId, content: '', attachment_ids: [file.id] });
    expect(sent.content).toBe('');
    await expectCode(ada.api.messages.send.mutate({ channel_id: channelId, content: '  ' }), 'BAD_REQUEST');
    await expectCode(ada.api.messages.send.mutate({ channel_id: channelId, content: '', attachment_ids: [] }), 'BAD_REQUEST');
  });

  test("someone else's upload is NOT_FOUND, an attached one CONFLICT, more than 10 or a repeat BAD_REQUEST; nothing is written", async () => {
    const before = await messageCount();
    const bobs = await upload(bob);
    await expectCode(ada.api.messages.send.mutate({ channel_id: channelId, content: 'x', attachment_ids: [bobs.id] }), 'NOT_FOUND');
    await expectCode(
      ada.api.messages.send.mutate({ channel_id: channelId, content: 'x', attachment_ids: [crypto.randomUUID()] }),
      'NOT_FOUND',
    );

    const used = await upload(ada);
    await ada.api.messages.send.mutate({ channel_id: channelId, content: 'first', attachment_ids: [used.id] });
    const fresh = await upload(ada);
    await expectCode(
      ada.api.messages.send.mutate({ channel_id: channelId, content: 'again', attachment_ids: [fresh.id, used.id] }),
      'CONFLICT',
    );
    await expectCode(ada.api.dms.send.mutate({ user_id: bob.id, content: 'again', attachment_ids: [used.id] }), 'CONFLICT');
    // The refused send did not take `fresh` with it.
    await ada.api.messages.send.mutate({ channel_id: channelId, content: 'fresh', attachment_ids: [fresh.id] });

    const eleven = Array.from({ length: LIMITS.attachmentsMax + 1 }, () => crypto.randomUUID());
    await expectCode(ada.api.messages.send.mutate({ channel_id: channelId, content: 'x', attachment_ids: eleven }), 'BAD_REQUEST');
    const again = await upload(ada);
    await expectCode(
      ada.api.messages.send.mutate({ channel_id: channelId, content: 'x', attachment_ids: [again.id, again.id] }),
      'BAD_REQUEST',
    );
    // An outsider cannot attach to a channel they cannot see, and their file stays theirs and free.
    const eves = await upload(eve);
    await expectCode(eve.api.messages.send.mutate({ channel_id: channelId, content: 'x', attachment_ids: [eves.id] }), 'NOT_FOUND');
    expect(await messageCount()).toBe(before + 2);
    await eve.api.dms.send.mutate({ user_id: ada.id, content: '', attachment_ids: [eves.id] });
  });

  test('a nonce repeated returns the first message with its attachments', async () => {
    const file = await upload(ada);
    const nonce = crypto.randomUUID();
    const first = await ada.api.messages.send.mutate({ channel_id: channelId, content: 'once', nonce, attachment_ids: [file.id] });
    const second = await ada.api.messages.send.mutate({ channel_id: channelId, content: 'once', nonce, attachment_ids: [file.id] });
    expect(second.id).toBe(first.id);
    expect(second.attachments.map((f) => f.id)).toEqual([file.id]);
  });

  test('edits keep the files (the update event carries them without URLs); search results carry them', async () => {
    const bobWs = wsClient(server.url, bob.token);
    closers.push(bobWs.close);
    const live = follow(bobWs.api.realtime.channel, { channel_id: channelId });
    await live.started;
    const file = await upload(ada);
    const sent = await ada.api.messages.send.mutate({ channel_id: channelId, content: 'quokka photo', attachment_ids: [file.id] });
    const edited = await ada.api.messages.edit.mutate({ message_id: sent.id, content: 'quokka photograph' });
    expect(edited.attachments.map((f) => f.id)).toEqual([file.id]);
    expect(edited.attachments[0]!.url).toContain(`u=${ada.id}`);
    const update = await live.events.first((e) => e.type === 'message_updated' && e.id === sent.id);
    expect(update.attachments.map((f: { id: string; url: string | null }) => [f.id, f.url])).toEqual([[file.id, null]]);
    const hits = await bob.api.messages.search.query({ query: 'quokka', channel_id: channelId });
    expect(hits[0]!.attachments[0]!.url).toContain(`u=${bob.id}`);
  });
});

describe('who may see a file', () => {
  test('member yes, outsider no; a removed member loses access at once (URL and files.get)', async () => {
    const carol = await uploader(server.url, 'carol');
    await ada.api.groups.addMember.mutate({ group_id: groupId, user_id: carol.id });
    const file = await upload(ada);
    await ada.api.messages.send.mutate({ channel_id: channelId, content: 'for members', attachment_ids: [file.id] });
    const mine = await carol.api.files.get.query({ file_id: file.id });
    expect((await download(server.url, mine.url!)).status).toBe(200);
    await expectCode(eve.api.files.get.query({ file_id: file.id }), 'NOT_FOUND');
    expect((await download(server.url, server.services.signer.url(file.id, 'x', eve.id, 60))).status).toBe(404);

    await ada.api.groups.removeMember.mutate({ group_id: groupId, user_id: carol.id });
    expect((await download(server.url, mine.url!)).status).toBe(404);
    await expectCode(carol.api.files.get.query({ file_id: file.id }), 'NOT_FOUND');
  });

  test('deleting a message deletes its files at once, for everyone including the uploader', async () => {
    const file = await upload(ada);
    const sent = await ada.api.messages.send.mutate({ channel_id: channelId, content: 'oops', attachment_ids: [file.id] });
    const bobs = await bob.api.files.get.query({ file_id: file.id });
    await ada.api.messages.delete.mutate({ message_id: sent.id });
    expect((await download(server.url, bobs.url!)).status).toBe(404);
    expect((await download(server.url, sent.attachments[0]!.url!)).status).toBe(404);
    await expectCode(ada.api.files.get.query({ file_id: file.id }), 'NOT_FOUND');
    await expectCode(ada.api.messages.send.mutate({ channel_id: channelId, content: 'x', attachment_ids: [file.id] }), 'NOT_FOUND');
  });
});

describe('attachments on direct messages', () => {
  test('both participants see them (signed each), the dm_message event carries them without URLs, a third user cannot', async () => {
    const bobWs = wsClient(server.url, bob.token);
    closers.push(bobWs.close);
    const live = follow(bobWs.api.realtime.dm, { user_id: ada.id });
    await live.started;
    const file = await upload(ada, 'dm.png');
    const sent = await ada.api.dms.send.mutate({ user_id: bob.id, content: '', attachment_ids: [file.id] });
    expect(sent.attachments.map((f) => f.id)).toEqual([file.id]);
    const event = await live.events.first((e) => e.type === 'dm_message' && e.id === sent.id);
    expect(event.attachments).toEqual([{ ...sent.attachments[0], url: null }]);
    const page = await bob.api.dms.list.query({ user_id: ada.id });
    const url = page.items.find((m) => m.id === sent.id)!.attachments[0]!.url!;
    expect(url).toContain(`u=${bob.id}`);
    expect((await download(server.url, url)).status).toBe(200);
    const conversations = await bob.api.dms.conversations.query();
    expect(conversations.find((c) => c.user.id === ada.id)!.last_message.attachments.map((f) => f.id)).toEqual([file.id]);
    await expectCode(eve.api.files.get.query({ file_id: file.id }), 'NOT_FOUND');

    await ada.api.dms.delete.mutate({ message_id: sent.id });
    expect((await download(server.url, url)).status).toBe(404);
  });
});
