import { sql, type SQL } from 'drizzle-orm';
import { channelOfStream } from '../../realtime/streams.ts';
import type { StreamSource } from '../../realtime/eventlog.ts';

/** A timestamptz as JavaScript's `toISOString()` writes it (UTC, milliseconds, `Z`). */
const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const json = (expression: string) => `to_json(${expression})::text`;

/** The columns a `message` event is built from, as SQL expressions (`createdAt`/`editedAt` as ISO text). */
interface MessageColumns {
  id: string;
  seq: string;
  channelId: string;
  senderId: string;
  username: string;
  content: string;
  createdAt: string;
  editedAt: string;
  /** JSON text of the attachments array. */
  attachments: string;
}

/**
 * A channel `message` event's JSON built by PostgreSQL: exactly the bytes of
 * `JSON.stringify({ type: 'message', ...presentMessage(...) })` (message-event.test.ts checks it),
 * so the send path and replays serialize it once, in the statement that reads or writes it.
 */
export function messageEventSql(c: MessageColumns): SQL {
  return sql.raw(
    `'{"type":"message","id":' || ${json(c.id)} || ',"seq":' || ${c.seq} || ',"channel_id":' || ${json(c.channelId)}` +
      ` || ',"sender_id":' || ${json(c.senderId)} || ',"sender_username":' || ${json(c.username)}` +
      ` || ',"content":' || ${json(c.content)} || ',"created_at":' || ${json(c.createdAt)}` +
      ` || ',"edited_at":' || coalesce(${json(c.editedAt)}, 'null') || ',"reactions":[],"attachments":' || ${c.attachments} || '}'`,
  );
}

/** A stored message's event as a replay shows it: its present text, or the deletion notice in its place. */
const STORED_MESSAGE_EVENT: SQL = (() => {
  const files = `(select coalesce(json_agg(json_build_object('id', f.id, 'filename', f.filename, 'content_type', f.content_type,
      'size', f.size, 'width', f.width, 'height', f.height, 'url', null, 'uploader_id', f.uploader_id,
      'created_at', ${iso('f.created_at')}) order by f.position), '[]'::json)::text
    from files f where f.message_id = m.id and f.deleted_at is null)`;
  const live = messageEventSql({
    id: 'm.id',
    seq: 'm.seq',
    channelId: 'm.channel_id',
    senderId: 'm.sender_id',
    username: 'u.username',
    content: 'm.content',
    createdAt: iso('m.created_at'),
    editedAt: `case when m.edited_at is null then null else ${iso('m.edited_at')} end`,
    attachments: files,
  });
  // The same notice (and field order) as the delete writes: see message-ops.ts.
  const tombstone = sql.raw(
    `'{"type":"message_deleted","id":' || ${json('m.id')} || ',"seq":' || m.seq || ',"channel_id":' || ${json('m.channel_id')} || '}'`,
  );
  return sql`case when m.deleted_at is null then ${live} else ${tombstone} end`;
})();

/**
 * A channel's `message` events live in the messages table, not in `events`: a send writes one
 * row, not two. Replays and gap fills read them from there, merged by sequence with the
 * channel's other events (edits, deletions, reactions), which stay in `events`.
 */
export const channelMessageEvents: StreamSource = {
  select(stream, afterSeq, limit) {
    const channelId = channelOfStream(stream);
    if (!channelId) return null;
    return sql`select m.seq, ${STORED_MESSAGE_EVENT} as payload
      from messages m join users u on u.id = m.sender_id
      where m.channel_id = ${channelId} and m.seq > ${afterSeq}
      order by m.seq limit ${limit}`;
  },
};
