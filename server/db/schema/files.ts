import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { directMessages, messages } from './messages.ts';
import { createdAt, users } from './users.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Uploaded files: metadata here, bytes in storage under `storage_key` (written before the row).
 * A file is attached to at most one channel message or DM. `attached_at` stays set once
 * attached, so a file whose message vanished (a deleted channel) can never be attached again and
 * is swept; `deleted_at` (its message was deleted) stops it being served at once, before the
 * sweeper removes the row and, when no other row shares them, the bytes.
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    uploaderId: uuid('uploader_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    width: integer('width'),
    height: integer('height'),
    storageKey: text('storage_key').notNull(),
    sha256: text('sha256').notNull(),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    dmId: uuid('dm_id').references(() => directMessages.id, { onDelete: 'set null' }),
    /** Order among its message's attachments. */
    position: smallint('position').notNull().default(0),
    createdAt: createdAt(),
    attachedAt: at('attached_at'),
    deletedAt: at('deleted_at'),
  },
  (t) => [
    index('files_message_idx')
      .on(t.messageId)
      .where(sql`message_id is not null`),
    index('files_dm_idx')
      .on(t.dmId)
      .where(sql`dm_id is not null`),
    index('files_storage_key_idx').on(t.storageKey),
    index('files_uploader_idx').on(t.uploaderId),
    // What the sweeper looks for: unattached uploads by age, and files whose message went away.
    index('files_unattached_idx')
      .on(t.createdAt)
      .where(sql`attached_at is null`),
    index('files_gone_idx')
      .on(t.id)
      .where(sql`deleted_at is not null or (attached_at is not null and message_id is null and dm_id is null)`),
  ],
);
