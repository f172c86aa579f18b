import type { Sql } from 'postgres';
import { createCorpus } from './corpus.ts';

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the queries behind messages.list, messages.search and the unread
 * counts, written as the services issue them (server/services/{messages,search,reads}.ts, drizzle's
 * SQL for the list). Keep them in step when those queries change.
 */

export interface Plan {
  name: string;
  executionMs: number;
  plan: string;
}

interface Ctx {
  reader: string;
  hot: { id: string; last_seq: number };
  normal: { id: string; last_seq: number };
  group: string;
}

const HEADLINE = 'StartSel=<b>, StopSel=</b>, MaxFragments=2, MaxWords=18, MinWords=6, FragmentDelimiter=" … "';

/** The page query of messages.list (newest first, one extra row for the cursor). */
const listSql = (channelId: string, beforeSeq: number | null, limit: number) => ({
  text: `select m.id, m.seq, m.channel_id, m.sender_id, m.content, m.created_at, m.edited_at, u.username
    from messages m inner join users u on u.id = m.sender_id
    where m.channel_id = $1 and m.deleted_at is null ${beforeSeq === null ? '' : 'and m.seq < $3'}
    order by m.seq desc limit $2`,
  params: beforeSeq === null ? [channelId, limit + 1] : [channelId, limit + 1, beforeSeq],
});

/** The query of messages.search (server/services/search.ts). */
const searchSql = (reader: string, query: string, filter: { group?: string; channel?: string }) => {
  const params: unknown[] = [query, reader];
  const extra: string[] = [];
  if (filter.group) extra.push(`c.group_id = $${params.push(filter.group)}`);
  if (filter.channel) extra.push(`m.channel_id = $${params.push(filter.channel)}`);
  params.push(20);
  return {
    text: `with q as (select websearch_to_tsquery('english', $1) as query),
      ranked as (
        select m.id, m.seq, m.channel_id, m.sender_id, m.content, m.created_at, m.edited_at, ts_rank(m.search, q.query) as rank
        from messages m join channels c on c.id = m.channel_id join memberships mb on mb.group_id = c.group_id cross join q
        where m.search @@ q.query and mb.user_id = $2 and m.deleted_at is null ${extra.map((e) => `and ${e}`).join(' ')}
        order by rank desc, m.created_at desc limit $${params.length}
      )
      select r.id, r.seq, r.channel_id, r.sender_id, u.username as sender_username, r.content, r.created_at, r.edited_at,
             ts_headline('english', r.content, q.query, '${HEADLINE}') as snippet
      from ranked r join users u on u.id = r.sender_id cross join q
      order by r.rank desc, r.created_at desc`,
    params,
  };
};

/** reads.groupCounts: unread and mention sums over every channel of every group of the user. */
const groupCountsSql = (reader: string) => ({
  text: `select c.group_id,
      coalesce(sum((select count(*) from messages m where m.channel_id = c.id and m.seq > coalesce(r.last_read_seq, 0)
         and m.deleted_at is null and m.sender_id <> $1)), 0) as unread,
      coalesce(sum((select count(*) from mentions x where x.user_id = $1 and x.channel_id = c.id
         and x.seq > coalesce(r.last_read_seq, 0))), 0) as mentions
    from memberships mb join channels c on c.group_id = mb.group_id
    left join read_states r on r.user_id = $1 and r.stream = 'c:' || c.id::text
    where mb.user_id = $1 group by c.group_id`,
  params: [reader],
});

export async function explainAll(sql: Sql, ctx: Ctx): Promise<Plan[]> {
  const vocab = createCorpus(42).vocabulary;
  const queries: Array<[string, { text: string; params: unknown[] }]> = [
    ['list newest page, hot channel', listSql(ctx.hot.id, null, 50)],
    ['list deep page, hot channel (before_seq = middle)', listSql(ctx.hot.id, Math.floor(ctx.hot.last_seq / 2), 50)],
    ['list deep page, normal channel (before_seq = middle)', listSql(ctx.normal.id, Math.floor(ctx.normal.last_seq / 2), 50)],
    [`search very common "${vocab[0]}", all groups`, searchSql(ctx.reader, vocab[0]!, {})],
    [`search common "${vocab[9]}", all groups`, searchSql(ctx.reader, vocab[9]!, {})],
    [`search common "${vocab[9]}", channel_id filter`, searchSql(ctx.reader, vocab[9]!, { channel: ctx.normal.id })],
    [`search selective "${vocab[2999]}", all groups`, searchSql(ctx.reader, vocab[2999]!, {})],
    [`search exclusion only "-${vocab[9]}", all groups`, searchSql(ctx.reader, `-${vocab[9]}`, {})],
    ['groups.list unread sums (reads.groupCounts)', groupCountsSql(ctx.reader)],
  ];
  const plans: Plan[] = [];
  for (const [name, q] of queries) {
    const rows = await sql.unsafe(`explain (analyze, buffers, format text) ${q.text}`, q.params as never[]);
    const plan = rows.map((r) => (r as Record<string, string>)['QUERY PLAN']).join('\n');
    const m = /Execution Time: ([\d.]+) ms/.exec(plan);
    plans.push({ name, executionMs: m ? Number(m[1]) : NaN, plan });
  }
  return plans;
}
