import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { eq, sql } from 'drizzle-orm';
import { files } from '../../db/schema/index.ts';
import { expectCode } from '../helpers/fixtures.ts';
import { startTestS3, type TestS3 } from '../helpers/s3rver.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { download, form, HTML, png, uploader, type Uploader } from './support.ts';

// Real servers on a shared, busy machine: allow for slow starts and slow hashing.
setDefaultTimeout(60_000);

// Parley on S3 end to end, against a real S3-compatible server (s3rver) on 127.0.0.1.
let s3: TestS3;
let server: TestServer;
let ada: Uploader;
let bob: Uploader;
let channelId: string;
let bucket: Bun.S3Client;
beforeAll(async () => {
  s3 = await startTestS3();
  bucket = new Bun.S3Client(s3.settings);
  server = await startTestServer({ ...s3.env, RATE_LIMIT_UPLOADS: 'off', FILE_SWEEP_SECONDS: '0' });
  [ada, bob] = await Promise.all([uploader(server.url, 'ada'), uploader(server.url, 'bob')]);
  const group = await ada.api.groups.create.mutate({ name: 's3' });
  await ada.api.groups.addMember.mutate({ group_id: group.id, user_id: bob.id });
  channelId = (await ada.api.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT' })).id;
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await s3?.stop();
});

const objects = async () => ((await bucket.list()).contents ?? []).map((o) => o.key);
const keyOf = async (id: string) => (await server.database.db.select().from(files).where(eq(files.id, id)))[0]?.storageKey;

describe('S3 storage end to end', () => {
  test('an attachment is stored in the bucket; its URL redirects to a presigned URL that serves it with ranges and headers', async () => {
    const bytes = png(16, 9, 20_000);
    const file = await ada.api.files.upload.mutate(form(bytes, 'wide.png', 'image/png'));
    expect(await objects()).toContain((await keyOf(file.id))!);
    await ada.api.messages.send.mutate({ channel_id: channelId, content: '', attachment_ids: [file.id] });
    const url = (await bob.api.files.get.query({ file_id: file.id })).url!;

    const res = await download(server.url, url);
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).toStartWith(s3.endpoint);
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-type')).toBe('image/png');
    expect(direct.headers.get('content-disposition')).toStartWith('inline; filename="wide.png"');
    expect(new Uint8Array(await direct.arrayBuffer())).toEqual(bytes);
    const ranged = await fetch(location, { headers: { range: 'bytes=100-199' } });
    expect(ranged.status).toBe(206);
    expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(bytes.slice(100, 200));
  });

  test('HTML is a download from the bucket too; a bad signature never reaches the bucket', async () => {
    const file = await ada.api.files.upload.mutate(form(HTML, 'page.html', 'text/html'));
    const res = await download(server.url, file.url!);
    const direct = await fetch(res.headers.get('location')!);
    expect(direct.headers.get('content-disposition')).toStartWith('attachment;');
    expect(await direct.text()).toBe(HTML);
    expect((await download(server.url, file.url!.replace(/sig=[^&]+/, 'sig=AAAA'))).status).toBe(403);
  });

  test('deleted and abandoned files stop being served at once and leave the bucket on the next sweep', async () => {
    const attached = await ada.api.files.upload.mutate(form('attached', 'a.txt', 'text/plain'));
    const abandoned = await ada.api.files.upload.mutate(form('abandoned', 'b.txt', 'text/plain'));
    const keys = [(await keyOf(attached.id))!, (await keyOf(abandoned.id))!];
    const sent = await ada.api.messages.send.mutate({ channel_id: channelId, content: 'x', attachment_ids: [attached.id] });
    await ada.api.messages.delete.mutate({ message_id: sent.id });
    expect((await download(server.url, attached.url!)).status).toBe(404);
    await server.database.db
      .update(files)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(eq(files.id, abandoned.id));
    await server.sweepFiles();
    const left = await objects();
    for (const key of keys) expect(left).not.toContain(key);
  });

  test('an unreachable S3 is a clear SERVICE_UNAVAILABLE and leaves no row', async () => {
    await s3.stop();
    const error = await expectCode(ada.api.files.upload.mutate(form('no bucket', 'n.txt', 'text/plain')), 'SERVICE_UNAVAILABLE');
    expect(error.message).toContain('unavailable');
    const rows = await server.database.db.select().from(files).where(eq(files.filename, 'n.txt'));
    expect(rows).toEqual([]);
  });
});
