import { expect } from 'bun:test';
import { asc } from 'drizzle-orm';
import type { DirectMessage, Message } from '../../../shared/entities.ts';
import type { Database } from '../../db/client.ts';
import * as s from '../../db/schema/index.ts';
import { expectCode, snapshot, type Account, type WireError } from '../helpers/fixtures.ts';
import { range } from '../helpers/rt-fixtures.ts';

/**
 * Helpers for the messaging-depth suites (server/test/messaging): database snapshots that also
 * cover messages, reactions, mentions, DMs and read state, and history walkers.
 */

/** Every row the foundation and the messaging features write, in a stable order. */
export async function fullSnapshot(database: Database) {
  const { db } = database;
  const [base, messages, reactions, mentions, dms, dmReactions, readStates] = await Promise.all([
    snapshot(database),
    db.select().from(s.messages).orderBy(asc(s.messages.id)),
    db.select().from(s.reactions).orderBy(asc(s.reactions.messageId), asc(s.reactions.userId), asc(s.reactions.emoji)),
    db.select().from(s.mentions).orderBy(asc(s.mentions.messageId), asc(s.mentions.userId)),
    db.select().from(s.directMessages).orderBy(asc(s.directMessages.id)),
    db.select().from(s.dmReactions).orderBy(asc(s.dmReactions.messageId), asc(s.dmReactions.userId), asc(s.dmReactions.emoji)),
    db.select().from(s.readStates).orderBy(asc(s.readStates.userId), asc(s.readStates.stream)),
  ]);
  return { ...base, messages, reactions, mentions, dms, dmReactions, readStates };
}

/** Runs `call`, which must be refused with `code`, and asserts that no row of any table changed. */
export async function refusedUnchanged(database: Database, call: () => Promise<unknown>, code: string): Promise<WireError> {
  const before = await fullSnapshot(database);
  const error = await expectCode(call(), code);
  expect(await fullSnapshot(database)).toEqual(before);
  return error;
}

/** Like `refusedUnchanged` for BAD_REQUEST, also requiring an issue at `path` (zod input errors). */
export async function badInputUnchanged(database: Database, call: () => Promise<unknown>, path?: (string | number)[]) {
  const error = await refusedUnchanged(database, call, 'BAD_REQUEST');
  expect(error.httpStatus).toBe(400);
  if (path) expect((error.issues ?? []).map((i) => i.path)).toContainEqual(path);
  return error;
}

type Page<T> = { items: T[]; next_before_seq: number | null };

/** Walks a history newest-first by `before_seq`/`next_before_seq`; returns every page. */
export async function walkBackward<T extends { seq: number }>(fetch: (beforeSeq?: number) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let before: number | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await fetch(before);
    pages.push(page.items);
    if (page.next_before_seq === null) return pages;
    expect(page.next_before_seq).toBe(page.items.at(-1)!.seq);
    before = page.next_before_seq;
  }
  throw new Error('history walk did not end');
}

/** Walks a history oldest page first by `after_seq` (each page is newest-first) until a short page. */
export async function walkForward<T extends { seq: number }>(fetch: (afterSeq: number) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let after = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await fetch(after);
    expect(page.next_before_seq).toBeNull();
    pages.push(page.items);
    if (page.items.length < limit) return pages;
    after = page.items[0]!.seq;
  }
  throw new Error('history walk did not end');
}

/** Asserts a list is strictly newest first (descending sequences). */
export function expectNewestFirst(items: { seq: number }[]) {
  const seqs = items.map((m) => m.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  expect(new Set(seqs).size).toBe(seqs.length);
}

/** Sends `n` DMs from `from` to `to`, one after another; returns them oldest first. */
export async function sendDms(from: Account, to: Account, n: number, content = (i: number) => `dm ${i}`): Promise<DirectMessage[]> {
  const out: DirectMessage[] = [];
  for (const i of range(0, n - 1)) out.push(await from.client.dms.send.mutate({ user_id: to.id, content: content(i) }));
  return out;
}

/** The wire message stripped of fields that legitimately differ per viewer (`reactions[].me`). */
export const sameMessage = (m: Message | DirectMessage) => ({ ...m, reactions: m.reactions.map((r) => ({ ...r, me: false })) });
