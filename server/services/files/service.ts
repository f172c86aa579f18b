import { and, eq, isNull, sql } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { RateLimit } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { files } from '../../db/schema/index.ts';
import { badRequest, notFound, payloadTooLarge, tooManyRequests, unavailable } from '../../errors.ts';
import type { RateLimiter } from '../../ratelimit/index.ts';
import { StorageError, type Storage } from '../../storage/index.ts';
import type { Caller } from '../caller.ts';
import { presentFile, type FileRow } from './present.ts';
import { imageDimensions, safeFilename, sniffContentType, SNIFF_BYTES } from './sniff.ts';
import type { UrlSigner } from './signing.ts';

export interface FileSettings {
  maxUploadBytes: number;
  rateLimitUploads: RateLimit;
  uploadQuotaBytes: number;
  /** An upload not attached within this long is dead at once (the sweeper removes it later). */
  uploadTtlSeconds: number;
}

export interface FileServiceDeps {
  database: Database;
  storage: Storage;
  limiter: RateLimiter;
  signer: UrlSigner;
  settings: FileSettings;
}

/** Image bytes read for width/height: enough for any header image-size reads (JPEG's SOF may come late). */
const DIMENSION_BYTES = 512 * 1024;

/** Serializes writers of one storage key: an upload committing bytes and the sweeper deleting them. */
export const lockStorageKey = (key: string) => sql`select pg_advisory_xact_lock(hashtextextended(${'parley:file:' + key}, 0))`;

const MIB = 1024 * 1024;
const size = (n: number) => (n % MIB === 0 ? `${n / MIB} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`);
/** The one wording of the upload limit, wherever a too-large upload is refused (service or edge). */
export const uploadTooLargeMessage = (maxUploadBytes: number) => `Files may be at most ${size(maxUploadBytes)}`;

function storageFailure(err: unknown, max: number): never {
  if (!(err instanceof StorageError)) throw err;
  if (err.kind === 'too_large') throw payloadTooLarge(uploadTooLargeMessage(max));
  throw unavailable(err.kind === 'full' ? 'File storage is full; nothing was stored' : 'File storage is unavailable; nothing was stored');
}

/**
 * Uploads and the files callers may see. Bytes go to storage first and the row is written after
 * them (in the same lock as the bytes' commit), so a row never points at bytes that are not
 * fully stored, and a failed upload leaves neither.
 */
export function createFileService(deps: FileServiceDeps) {
  const { database, storage, limiter, signer, settings } = deps;
  const { db } = database;

  async function throttle(userId: string) {
    const limit = settings.rateLimitUploads;
    if (!limit) return;
    const decision = await limiter.hit(`upload:${userId}`, limit.count, limit.windowSeconds);
    if (!decision.allowed) throw tooManyRequests(`At most ${limit.count} uploads per ${limit.windowSeconds} s`, decision.retryAfterSeconds);
  }

  async function checkQuota(userId: string, incoming: number) {
    const [row] = await db
      .select({ used: sql<string>`coalesce(sum(${files.size}), 0)` })
      .from(files)
      .where(and(eq(files.uploaderId, userId), isNull(files.deletedAt)));
    if (Number(row?.used ?? 0) + incoming > settings.uploadQuotaBytes)
      throw payloadTooLarge(`This upload would exceed your storage quota of ${size(settings.uploadQuotaBytes)}`);
  }

  /** The live file `fileId` if `userId` may see it: its uploader, or anyone who can see a message carrying it. */
  async function visible(fileId: string, userId: string): Promise<FileRow | null> {
    const [row] = await db
      .select()
      .from(files)
      .where(
        and(
          eq(files.id, fileId),
          isNull(files.deletedAt),
          // Attached once and its message is gone (e.g. a deleted channel): waiting for the sweeper.
          sql`not (${files.attachedAt} is not null and ${files.messageId} is null and ${files.dmId} is null)`,
          // Never attached and past its time: as good as swept.
          sql`(${files.attachedAt} is not null or ${files.createdAt} > now() - make_interval(secs => ${settings.uploadTtlSeconds}))`,
          sql`(${files.uploaderId} = ${userId}
            or exists (select 1 from messages m
              join channels c on c.id = m.channel_id
              join memberships ms on ms.group_id = c.group_id and ms.user_id = ${userId}
              where m.id = ${files.messageId} and m.deleted_at is null)
            or exists (select 1 from direct_messages d
              where d.id = ${files.dmId} and d.deleted_at is null and (d.sender_id = ${userId} or d.recipient_id = ${userId})))`,
        ),
      );
    return row ?? null;
  }

  return {
    storage,
    maxUploadBytes: settings.maxUploadBytes,

    /** Stores the form's `file` and returns it; see CONTRACT.md "Files and attachments" for the rules. */
    async upload(caller: Caller, form: FormData): Promise<wire.File> {
      const entries = form.getAll('file');
      const file = entries[0];
      if (entries.length !== 1 || !(file instanceof Blob)) throw badRequest('Expected one file in the form field "file"');
      if (file.size === 0) throw badRequest('The file is empty');
      if (file.size > settings.maxUploadBytes) throw payloadTooLarge(uploadTooLargeMessage(settings.maxUploadBytes));
      await throttle(caller.id);
      await checkQuota(caller.id, file.size);

      const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
      const contentType = await sniffContentType(head, file.type);
      const dims = contentType.startsWith('image/')
        ? imageDimensions(contentType, new Uint8Array(await file.slice(0, DIMENSION_BYTES).arrayBuffer()))
        : null;
      const filename = safeFilename((file as globalThis.File).name);

      const staged = await storage
        .stage(file, { maxBytes: settings.maxUploadBytes, contentType })
        .catch((err) => storageFailure(err, settings.maxUploadBytes));
      try {
        const row = await db.transaction(async (tx) => {
          await database.rows(lockStorageKey(staged.key), tx);
          await staged.commit();
          const [inserted] = await tx
            .insert(files)
            .values({
              id: Bun.randomUUIDv7(),
              uploaderId: caller.id,
              filename,
              contentType,
              size: staged.size,
              width: dims?.width ?? null,
              height: dims?.height ?? null,
              storageKey: staged.key,
              sha256: staged.sha256,
            })
            .returning();
          return inserted!;
        });
        return presentFile(row, signer, caller.id);
      } catch (err) {
        // Committed bytes nobody references are harmless; the staged copy must not linger.
        await staged.abort();
        return storageFailure(err, settings.maxUploadBytes);
      }
    },

    /** The file with a fresh URL for the caller; NOT_FOUND when the caller cannot see it. */
    async get(caller: Caller, fileId: string): Promise<wire.File> {
      const row = await visible(fileId, caller.id);
      if (!row) throw notFound('File');
      return presentFile(row, signer, caller.id);
    },

    /** What the download edge serves: the row, if the signed link's user may (still) see it. */
    visible,
  };
}

export type FileService = ReturnType<typeof createFileService>;
