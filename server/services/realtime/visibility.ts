import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { dmStream } from '../../realtime/streams.ts';

/**
 * Whether `viewer` may see `subject`'s presence (CONTRACT.md, hardening rules): only when they
 * share a group or have a conversation (a DM either way, deleted or not). Anyone can open a DM
 * stream with anyone (to start a conversation), so this is what keeps strangers from watching
 * when a user is online.
 */
export async function canSeePresence(database: Database, viewer: string, subject: string): Promise<boolean> {
  const rows = await database.rows<{ visible: boolean }>(sql`
    select exists (
      select 1 from memberships a join memberships b on b.group_id = a.group_id and b.user_id = ${subject}
      where a.user_id = ${viewer}
    ) or exists (
      select 1 from direct_messages where pair_key = ${dmStream(viewer, subject)}
    ) as visible`);
  return Boolean(rows[0]?.visible);
}
