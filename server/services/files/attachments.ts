import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Db, Tx } from '../../db/client.ts';
import { files } from '../../db/schema/index.ts';
import { conflict, notFound } from '../../errors.ts';
import { presentFile, type FileRow, type ShownFile } from './present.ts';
import type { UrlSigner } from './signing.ts';

/** Which message table a file hangs off. */
export type AttachmentKind = 'message' | 'dm';

const column = (kind: AttachmentKind) => (kind === 'message' ? files.messageId : files.dmId);

/** A file as the JSON of `Attachments.lists` carries it (timestamps as text). */
export type AttachmentJson = Omit<ShownFile, 'createdAt'> & { createdAt: string };

/**
 * Files as attachments of channel messages and DMs: claimed by a send inside its transaction,
 * loaded for pages and events, and marked deleted with their message.
 */
export function createAttachments(deps: { db: Db; signer: UrlSigner; uploadTtlSeconds: number }) {
  const { db, signer, uploadTtlSeconds } = deps;

  return {
    /**
     * Locks the caller's uploads `ids` for attaching; NOT_FOUND for a file that is not theirs (or
     * gone), CONFLICT for one already attached. Call `attach` after inserting the message.
     */
    async lockForAttach(tx: Tx, callerId: string, ids: string[]): Promise<FileRow[]> {
      if (!ids.length) return [];
      const rows = await tx.select().from(files).where(inArray(files.id, ids)).for('update');
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => {
        const row = byId.get(id);
        // Past its time an unattached upload is gone, whether or not the sweeper got to it yet.
        if (!row || row.uploaderId !== callerId || row.deletedAt) throw notFound('File');
        const expired = !row.attachedAt && row.createdAt.getTime() <= Date.now() - uploadTtlSeconds * 1000;
        if (expired) throw notFound('File');
        if (row.attachedAt) throw conflict('That file is already attached to a message');
        return row;
      });
    },

    /** Attaches locked files to a just-inserted message, in the order given. */
    async attach(tx: Tx, kind: AttachmentKind, messageId: string, rows: FileRow[]): Promise<FileRow[]> {
      const attachedAt = new Date();
      const out: FileRow[] = [];
      for (const [position, row] of rows.entries()) {
        const target = kind === 'message' ? { messageId } : { dmId: messageId };
        await tx
          .update(files)
          .set({ ...target, position, attachedAt })
          .where(eq(files.id, row.id));
        out.push({ ...row, ...target, position, attachedAt });
      }
      return out;
    },

    /** Live attachments of these messages, by message id, with URLs signed for `viewerId` (null: none). */
    async load(kind: AttachmentKind, messageIds: string[], viewerId: string | null, tx: Tx = db): Promise<Map<string, wire.File[]>> {
      const out = new Map<string, wire.File[]>();
      if (!messageIds.length) return out;
      const col = column(kind);
      const rows = await tx
        .select()
        .from(files)
        .where(and(inArray(col, messageIds), isNull(files.deletedAt)))
        .orderBy(asc(col), asc(files.position));
      for (const row of rows) {
        const key = (kind === 'message' ? row.messageId : row.dmId)!;
        const list = out.get(key) ?? [];
        list.push(presentFile(row, signer, viewerId));
        out.set(key, list);
      }
      return out;
    },

    /**
     * The live attachments of the messages whose ids the array expression `ids` yields (a page),
     * as a table to join on `message_id` (`list`: JSON, in order), so they come in the same round
     * trip as the messages; messages without attachments have no row. `fromList` presents a list.
     */
    lists(kind: AttachmentKind, ids: SQL): SQL {
      return sql`(
        select ${sql.raw(kind === 'message' ? 'f.message_id' : 'f.dm_id')} as message_id,
          json_agg(json_build_object('id', f.id, 'filename', f.filename, 'contentType', f.content_type,
            'size', f.size, 'width', f.width, 'height', f.height, 'uploaderId', f.uploader_id, 'createdAt', f.created_at)
            order by f.position) as list
        from ${files} f where ${sql.raw(kind === 'message' ? 'f.message_id' : 'f.dm_id')} = any(${ids}) and f.deleted_at is null
        group by 1)`;
    },

    /** Presents a list `lists` read, with URLs signed for `viewerId`. */
    fromList: (json: AttachmentJson[], viewerId: string) =>
      json.map((f) => presentFile({ ...f, createdAt: new Date(f.createdAt) }, signer, viewerId)),

    /** Signs URLs of files for a viewer. */
    present: (rows: FileRow[], viewerId: string | null) => rows.map((r) => presentFile(r, signer, viewerId)),

    /** A deleted message's attachments stop being served at once; the sweeper removes them later. */
    async markDeleted(tx: Tx, kind: AttachmentKind, messageId: string): Promise<void> {
      await tx
        .update(files)
        .set({ deletedAt: new Date() })
        .where(and(eq(column(kind), messageId), isNull(files.deletedAt)));
    },
  };
}

export type Attachments = ReturnType<typeof createAttachments>;
