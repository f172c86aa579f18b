import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { eq, sql } from 'drizzle-orm';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { files } from '../../db/schema/index.ts';
import { wsClient } from '../helpers/clients.ts';
import { startCluster, type Cluster } from '../helpers/cluster.ts';
import { eventually } from '../helpers/events.ts';
import { follow } from '../helpers/fixtures.ts';
import { startTestS3, type TestS3 } from '../helpers/s3rver.ts';
import { download, form, png, uploader, uploadingClient, type Uploader } from './support.ts';

// Real servers on a shared, busy machine: allow for slow starts and slow hashing.
setDefaultTimeout(90_000);

/**
 * Two instances (separate processes over one PostgreSQL and Redis) sharing one store: a file
 * uploaded on one is attached, announced, served and removed through the other, and both
 * sweepers run every second against the same rows without stepping on each other.
 */
for (const store of ['directory', 's3'] as const) {
  describe(`a cluster sharing ${store} storage`, () => {
    let cluster: Cluster;
    let s3: TestS3 | null = null;
    let dir = '';
    let ada: Uploader;
    let bob: Uploader;
    let channelId: string;
    const closers: (() => void)[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'parley-cluster-files-'));
      s3 = store === 's3' ? await startTestS3() : null;
      cluster = await startCluster({
        instances: 2,
        env: { RATE_LIMIT_UPLOADS: 'off', FILE_SWEEP_SECONDS: '1', ...(s3 ? s3.env : { STORAGE_DIR: dir }) },
      });
      const [a, b] = cluster.instances;
      ada = await uploader(a!.url, 'ada');
      const bobAccount = await uploader(b!.url, 'bob');
      bob = { ...bobAccount, api: uploadingClient(b!.url, bobAccount.token) };
      const group = await ada.api.groups.create.mutate({ name: 'cluster files' });
      await ada.api.groups.addMember.mutate({ group_id: group.id, user_id: bob.id });
      channelId = (await ada.api.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT' })).id;
    }, 240_000);
    afterAll(async () => {
      for (const close of closers) close();
      await cluster?.stop();
      await s3?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('uploaded on one instance, announced, listed and served on the other; deleted on one, gone on both', async () => {
      const [a, b] = cluster.instances;
      const bobWs = wsClient(b!.url, bob.token);
      closers.push(bobWs.close);
      const live = follow(bobWs.api.realtime.channel, { channel_id: channelId });
      await live.started;

      const bytes = png(12, 7, 50_000);
      const file = await ada.api.files.upload.mutate(form(bytes, 'shared.png', 'image/png'));
      const sent = await ada.api.messages.send.mutate({ channel_id: channelId, content: 'across', attachment_ids: [file.id] });
      const event = await live.events.first((e) => e.type === 'message' && e.id === sent.id, 30_000);
      expect(event.attachments.map((f: { id: string }) => f.id)).toEqual([file.id]);

      const url = (await bob.api.files.get.query({ file_id: file.id })).url!;
      const fetchBytes = async (base: string) => {
        const res = await download(base, url);
        const final = res.status === 302 ? await fetch(res.headers.get('location')!) : res;
        return { status: final.status, bytes: final.status === 200 ? new Uint8Array(await final.arrayBuffer()) : null };
      };
      // The link was issued by instance B; A honours it too (same secret, same store).
      expect(await fetchBytes(b!.url)).toEqual({ status: 200, bytes });
      expect(await fetchBytes(a!.url)).toEqual({ status: 200, bytes });

      await ada.api.messages.delete.mutate({ message_id: sent.id });
      expect((await download(b!.url, url)).status).toBe(404);
      expect((await download(a!.url, url)).status).toBe(404);
    });

    test("both instances' sweepers remove abandoned uploads and deleted attachments from the shared store, once", async () => {
      const abandoned = await ada.api.files.upload.mutate(form('abandoned bytes', 'gone.txt', 'text/plain'));
      const kept = await bob.api.files.upload.mutate(form('kept bytes', 'kept.txt', 'text/plain'));
      await bob.api.messages.send.mutate({ channel_id: channelId, content: '', attachment_ids: [kept.id] });
      const [row] = await cluster.database.db.select().from(files).where(eq(files.id, abandoned.id));
      await cluster.database.db
        .update(files)
        .set({ createdAt: sql`now() - interval '25 hours'` })
        .where(eq(files.id, abandoned.id));
      const stored = async (key: string) =>
        s3 ? await new Bun.S3Client(s3.settings).exists(key) : existsSync(join(dir, key.slice(0, 2), key));
      expect(await stored(row!.storageKey)).toBe(true);
      // Dead at once, gone from the store once a sweeper has run.
      expect((await download(cluster.instances[1]!.url, abandoned.url!)).status).toBe(404);
      const gone = async () =>
        !(await stored(row!.storageKey)) && !(await cluster.database.db.select().from(files).where(eq(files.id, abandoned.id))).length;
      await eventually(gone, 30_000, 'the abandoned upload to leave the store and the database');
      const [keptRow] = await cluster.database.db.select().from(files).where(eq(files.id, kept.id));
      expect(await stored(keptRow!.storageKey)).toBe(true);
      for (const instance of cluster.instances) expect(instance.logs.join('\n')).not.toContain('file sweep failed');
    });
  });
}
