import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { eq, sql } from 'drizzle-orm';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { files } from '../../db/schema/index.ts';
import { expectCode } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { download, form, uploader, type Uploader } from './support.ts';

// Real servers on a shared, busy machine: allow for slow starts and slow hashing.
setDefaultTimeout(60_000);
let server: TestServer;
let ada: Uploader;
let bob: Uploader;
let channelId: string;
beforeAll(async () => {
  // The timer is off: the test sweeps when it wants to.
  server = await startTestServer({ RATE_LIMIT_UPLOADS: 'off', FILE_SWEEP_SECONDS: '0', UPLOAD_TTL_SECONDS: '3600' });
  [ada, bob] = await Promise.all([uploader(server.url, 'ada'), uploader(server.url, 'bob')]);
  const group = await ada.api.groups.create.mutate({ name: 'sweep' });
  await ada.api.groups.addMember.mutate({ group_id: group.id, user_id: bob.id });
  channelId = (await ada.api.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT' })).id;
}, 180_000);
afterAll(() => server.stop());

const bytesPath = (key: string) => join(server.dataDir, 'files', key.slice(0, 2), key);
const row = async (id: string) => (await server.database.db.select().from(files).where(eq(files.id, id)))[0];
/** Makes an upload look `seconds` old. */
const age = (id: string, seconds: number) =>
  server.database.db
    .update(files)
    .set({ createdAt: sql`now() - make_interval(secs => ${seconds})` })
    .where(eq(files.id, id));

describe('file sweeper', () => {
  test('removes uploads left unattached past the TTL (row and bytes), keeps younger ones and attached ones', async () => {
    const old = await ada.api.files.upload.mutate(form('old bytes', 'old.txt', 'text/plain'));
    const young = await ada.api.files.upload.mutate(form('young bytes', 'young.txt', 'text/plain'));
    const kept = await ada.api.files.upload.mutate(form('kept bytes', 'kept.txt', 'text/plain'));
    await ada.api.messages.send.mutate({ channel_id: channelId, content: '', attachment_ids: [kept.id] });
    await age(old.id, 3601);
    await age(kept.id, 3601 * 24);
    const oldKey = (await row(old.id))!.storageKey;
    expect(existsSync(bytesPath(oldKey))).toBe(true);

    expect(await server.sweepFiles()).toBeGreaterThanOrEqual(1);
    expect(await row(old.id)).toBeUndefined();
    expect(existsSync(bytesPath(oldKey))).toBe(false);
    expect((await download(server.url, old.url!)).status).toBe(404);
    await expectCode(ada.api.messages.send.mutate({ channel_id: channelId, content: 'late', attachment_ids: [old.id] }), 'NOT_FOUND');
    expect(await row(young.id)).toBeDefined();
    expect((await download(server.url, kept.url!)).status).toBe(200);
  });

  test('an upload past its time is dead at once, before any sweep: not served, not attachable', async () => {
    const late = await ada.api.files.upload.mutate(form('too late', 'late.txt', 'text/plain'));
    await age(late.id, 3601);
    expect((await download(server.url, late.url!)).status).toBe(404);
    await expectCode(ada.api.files.get.query({ file_id: late.id }), 'NOT_FOUND');
    await expectCode(ada.api.messages.send.mutate({ channel_id: channelId, content: 'late', attachment_ids: [late.id] }), 'NOT_FOUND');
    expect(await row(late.id)).toBeDefined();
  });

  test("removes a deleted message's files, but not bytes another live file shares", async () => {
    const shared = 'the same bytes twice';
    const a = await ada.api.files.upload.mutate(form(shared, 'a.txt', 'text/plain'));
    const b = await bob.api.files.upload.mutate(form(shared, 'b.txt', 'text/plain'));
    const key = (await row(a.id))!.storageKey;
    expect((await row(b.id))!.storageKey).toBe(key);
    const sent = await ada.api.messages.send.mutate({ channel_id: channelId, content: 'x', attachment_ids: [a.id] });
    await ada.api.messages.delete.mutate({ message_id: sent.id });
    await server.sweepFiles();
    expect(await row(a.id)).toBeUndefined();
    expect(existsSync(bytesPath(key))).toBe(true);
    expect(await (await download(server.url, b.url!)).text()).toBe(shared);

    // Once the last file goes, so do the bytes.
    const sent2 = await bob.api.messages.send.mutate({ channel_id: channelId, content: 'y', attachment_ids: [b.id] });
    await bob.api.messages.delete.mutate({ message_id: sent2.id });
    await server.sweepFiles();
    expect(existsSync(bytesPath(key))).toBe(false);
  });

  test('several sweepers at once remove each file exactly once, without errors', async () => {
    const uploads = await Promise.all(
      Array.from({ length: 12 }, (_, i) => ada.api.files.upload.mutate(form(`bytes ${i}`, `f${i}.txt`, 'text/plain'))),
    );
    for (const f of uploads) await age(f.id, 7200);
    const counts = await Promise.all([server.sweepFiles(), server.sweepFiles(), server.sweepFiles()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    for (const f of uploads) expect(await row(f.id)).toBeUndefined();
  });

  test("a deleted channel's files stop being served and are swept", async () => {
    const group = await ada.api.groups.create.mutate({ name: 'doomed' });
    const channel = await ada.api.channels.create.mutate({ group_id: group.id, name: 'c', type: 'TEXT' });
    const file = await ada.api.files.upload.mutate(form('doomed bytes', 'd.txt', 'text/plain'));
    await ada.api.messages.send.mutate({ channel_id: channel.id, content: '', attachment_ids: [file.id] });
    await ada.api.channels.delete.mutate({ channel_id: channel.id });
    expect((await download(server.url, file.url!)).status).toBe(404);
    await server.sweepFiles();
    expect(await row(file.id)).toBeUndefined();
  });
});
