import { sql, type SQL } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Database } from '../../db/client.ts';
import { reactions } from '../../db/schema/index.ts';
import { badRequest } from '../../errors.ts';
import type { Access } from '../groups/access.ts';
import { presentMessage } from '../present.ts';
import type { Attachments } from '../files/attachments.ts';
import { reactionSummaries } from './reactions.ts';
import type { Caller } from '../caller.ts';

const DEFAULT_LIMIT = 20;
/** How many of the newest matches are ranked. */
const CANDIDATES = 500;
/**
 * ts_headline options: up to two short fragments, matches between two control characters (first
 * removed from the text, so a message cannot forge them); the snippet is then HTML-escaped and
 * only those become <b>…</b>, so a message's own markup never reaches a client as HTML.
 */
const [OPEN, CLOSE] = ['\u0002', '\u0003'];
const HEADLINE = `StartSel=${OPEN}, StopSel=${CLOSE}, MaxFragments=2, MaxWords=18, MinWords=6, FragmentDelimiter=" … "`;
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const markSnippet = (raw: string) => escapeHtml(raw).replaceAll(OPEN, '<b>').replaceAll(CLOSE, '</b>');

interface Hit {
  id: string;
  seq: number | string;
  channel_id: string;
  sender_id: string;
  sender_username: string;
  content: string;
  created_at: Date | string;
  edited_at: Date | string | null;
  snippet: string;
}

/**
 * Full-text search over channel messages with PostgreSQL's own machinery (the generated
 * `search` tsvector with its GIN index, `websearch_to_tsquery`, `ts_rank`, `ts_headline`),
 * limited to the channels of groups the caller belongs to. The same SQL runs on PGlite.
 */
export function createSearchService(deps: { database: Database; access: Access; attachments: Attachments }) {
  const { database, access } = deps;

  return {
    async search(caller: Caller, input: { query: string; groupId?: string; channelId?: string; limit?: number }): Promise<wire.Message[]> {
      if (input.groupId) await access.requireMember(input.groupId, caller.id);
      if (input.channelId) await access.channelFor(input.channelId, caller.id);
      // Refused: nothing to look for (only operators or stop words), or only exclusions ("-word"),
      // which would match nearly every message.
      const [parsed] = await database.rows<{ nodes: number; tree: string }>(
        sql`select numnode(q) as nodes, querytree(q) as tree from websearch_to_tsquery('english', ${input.query}) as q`,
      );
      if (!parsed || Number(parsed.nodes) === 0) throw badRequest('The query has no searchable words');
      if (parsed.tree === 'T') throw badRequest('The query needs at least one word to look for, not only exclusions');

      const filters: SQL[] = [sql`mb.user_id = ${caller.id}`, sql`m.deleted_at is null`];
      if (input.groupId) filters.push(sql`c.group_id = ${input.groupId}`);
      if (input.channelId) filters.push(sql`m.channel_id = ${input.channelId}`);
      // Ranked among the most recent matches: a very common term then costs a short walk back
      // through the newest messages instead of ranking half the table, a rare one an index lookup.
      // (The query text must reach the planner as a value, not via a CTE, for it to choose.)
      // Equal ranks go newest first; sends in one millisecond share created_at, and their ids
      // (UUIDv7, increasing within a process) keep them in the order they were made.
      const query = sql`websearch_to_tsquery('english', ${input.query})`;
      const hits = await database.rows<Hit>(sql`
        with candidates as (
          select m.id, m.seq, m.channel_id, m.sender_id, m.content, m.created_at, m.edited_at, m.search
          from messages m
          join channels c on c.id = m.channel_id
          join memberships mb on mb.group_id = c.group_id
          where m.search @@ ${query} and ${sql.join(filters, sql` and `)}
          order by m.created_at desc
          limit ${CANDIDATES}
        ),
        ranked as (
          select *, ts_rank(search, ${query}) as rank from candidates
          order by rank desc, created_at desc, id desc
          limit ${input.limit ?? DEFAULT_LIMIT}
        )
        select r.id, r.seq, r.channel_id, r.sender_id, u.username as sender_username, r.content, r.created_at, r.edited_at,
               ts_headline('english', translate(r.content, ${OPEN + CLOSE}, ''), ${query}, ${HEADLINE}) as snippet
        from ranked r join users u on u.id = r.sender_id
        order by r.rank desc, r.created_at desc, r.id desc`);

      const summary = await reactionSummaries(
        database.db,
        reactions,
        hits.map((h) => h.id),
        caller.id,
      );
      const files = await deps.attachments.load(
        'message',
        hits.map((h) => h.id),
        caller.id,
      );
      return hits.map((h) => ({
        ...presentMessage(
          {
            id: h.id,
            seq: Number(h.seq),
            channelId: h.channel_id,
            senderId: h.sender_id,
            content: h.content,
            createdAt: new Date(h.created_at),
            editedAt: h.edited_at ? new Date(h.edited_at) : null,
          },
          h.sender_username,
          summary.get(h.id),
          files.get(h.id),
        ),
        snippet: markSnippet(h.snippet),
      }));
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
