import { expect } from 'bun:test';
import type { DirectMessage, Message } from '../../../shared/entities.ts';
import type { Account } from './clients.ts';

/**
 * Filling and reading histories: bulk senders and walkers over `messages.list` / `dms.list` pages.
 */

/** from..to inclusive. */
export const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

type Sender = Account['client'];

/** Sends `n` channel messages, `concurrency` at a time (over HTTP each wave is one batch); returns them in sequence order. */
export async function sendMany(client: Sender, channelId: string, n: number, concurrency = 25, content = (i: number) => `m${i}`) {
  const sent: Array<Awaited<ReturnType<Sender['messages']['send']['mutate']>>> = [];
  for (let i = 0; i < n; i += concurrency) {
    const wave = range(i, Math.min(n, i + concurrency) - 1);
    sent.push(...(await Promise.all(wave.map((j) => client.messages.send.mutate({ channel_id: channelId, content: content(j) })))));
  }
  return sent.sort((a, b) => a.seq - b.seq);
}

/** The whole history of a channel through messages.list, oldest first. */
export async function history(client: Sender, channelId: string) {
  const all: Array<{ id: string; seq: number; content: string }> = [];
  let after = 0;
  for (;;) {
    const page = await client.messages.list.query({ channel_id: channelId, after_seq: after, limit: 100 });
    const items = [...page.items].sort((a, b) => a.seq - b.seq);
    all.push(...items);
    if (items.length < 100) return all;
    after = items[items.length - 1]!.seq;
  }
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
