import { eq } from 'drizzle-orm';
import { streamCounters } from '../../db/schema/index.ts';
import type { TestServer } from '../helpers/server.ts';

/** The latest committed sequence of a stream, read from the database. */
export async function latestSeq(server: TestServer, stream: string): Promise<number> {
  const [row] = await server.database.db.select().from(streamCounters).where(eq(streamCounters.stream, stream));
  return row?.lastSeq ?? 0;
}

/** Fails with the offending text when `haystack` (any JSON) contains one of `secrets`. */
export function leaked(haystack: unknown, secrets: string[]): string[] {
  const text = JSON.stringify(haystack);
  return secrets.filter((s) => text.includes(s));
}
