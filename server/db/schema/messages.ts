import { sql, type SQL } from 'drizzle-orm';
import { bigint, customType, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { channels, groups } from './groups.ts';
import { createdAt, users } from './users.ts';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
const seq = (name = 'seq') => bigint(name, { mode: 'number' });
/** The search index's pending list, in kB: about 50,000 messages, far more than a second of sends. */
const SEARCH_PENDING_LIMIT_KB = 16384;
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Channel messages. `seq` is the message's position in its channel's event stream. */
export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    seq: seq().notNull(),
    senderId: uuid('sender_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    content: text('content').notNull(),
    nonce: text('nonce'),
    createdAt: createdAt(),
    editedAt: at('edited_at'),
    deletedAt: at('deleted_at'),
    search: tsvector('search').generatedAlwaysAs((): SQL => sql`to_tsvector('english', ${messages.content})`),
  },
  (t) => [
    uniqueIndex('messages_channel_seq_key').on(t.channelId, t.seq),
    // Search ranks the newest matches: a common term walks back from the newest message.
    index('messages_created_idx').on(t.createdAt),
    // A nonce is scoped to its channel: the same nonce sent to another channel is a new message.
    uniqueIndex('messages_sender_channel_nonce_key')
      .on(t.senderId, t.channelId, t.nonce)
      .where(sql`nonce is not null`),
    // Batched index maintenance: a send appends its words to the index's pending list, and the
    // search upkeep (search-upkeep.ts) merges the list into the index in bulk every second. Merging
    // per insert cost about a sixth of the database's CPU per message. The limit is the backstop:
    // past it, an inserting transaction merges the list itself (the stall the upkeep avoids).
    index('messages_search_idx').using('gin', t.search).with({ fastupdate: true, gin_pending_list_limit: SEARCH_PENDING_LIMIT_KB }),
  ],
);

/** Reactions on the messages of `target`: one row per message, user and emoji. */
const reactionsOn = (name: string, target: () => AnyPgColumn) =>
  pgTable(
    name,
    {
      messageId: uuid('message_id').notNull().references(target, { onDelete: 'cascade' }),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      emoji: text('emoji').notNull(),
      createdAt: createdAt(),
    },
    (t) => [primaryKey({ columns: [t.messageId, t.userId, t.emoji] })],
  );

export const reactions = reactionsOn('reactions', () => messages.id);

/** A user named with `@username` in a channel message. */
export const mentions = pgTable(
  'mentions',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    seq: seq().notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId] }), index('mentions_user_channel_idx').on(t.userId, t.channelId, t.seq)],
);

/** Direct messages between two users; `seq` is the position in the pair's stream. */
export const directMessages = pgTable(
  'direct_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The pair's stream key (`d:<lower id>:<higher id>`), shared by both directions. */
    pairKey: text('pair_key').notNull(),
    seq: seq().notNull(),
    senderId: uuid('sender_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    content: text('content').notNull(),
    nonce: text('nonce'),
    createdAt: createdAt(),
    editedAt: at('edited_at'),
    deletedAt: at('deleted_at'),
  },
  (t) => [
    uniqueIndex('direct_messages_pair_seq_key').on(t.pairKey, t.seq),
    // A nonce is scoped to its conversation, like a channel message's to its channel.
    uniqueIndex('direct_messages_sender_pair_nonce_key')
      .on(t.senderId, t.pairKey, t.nonce)
      .where(sql`nonce is not null`),
    index('direct_messages_recipient_idx').on(t.recipientId),
    index('direct_messages_sender_idx').on(t.senderId),
  ],
);

export const dmReactions = reactionsOn('dm_reactions', () => directMessages.id);

/** How far a user has read a stream (a channel or a DM pair). */
export const readStates = pgTable(
  'read_states',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    stream: text('stream').notNull(),
    lastReadSeq: seq('last_read_seq').notNull().default(0),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.stream] })],
);
