import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Message } from '../../../shared/entities.ts';
import { LIMITS } from '../../../shared/limits.ts';
import {
  type Cast,
  createGroupFixture,
  expectNewestFirst,
  history,
  range,
  registerCast,
  sendDms,
  sendMany,
  startTestServer,
  type TestServer,
  walkBackward,
  walkForward,
} from '../helpers/fixtures.ts';

/** History pages of messages.list and dms.list at their edges. */
setDefaultTimeout(60_000);

let server: TestServer;
let cast: Cast;
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server);
}, 60_000);
afterAll(() => server?.stop(), 30_000);

/** A fresh channel in a fresh group of the cast. */
const freshChannel = async () => (await createGroupFixture(cast, 'paging')).channel;
const list = (channelId: string, q: { before_seq?: number; after_seq?: number; limit?: number } = {}) =>
  cast.member.client.messages.list.query({ channel_id: channelId, ...q });
const ids = (items: { id: string }[]) => items.map((m) => m.id);

describe('messages.list', () => {
  test('an empty channel has one empty page whichever way it is asked for', async () => {
    const channel = await freshChannel();
    const empty = { items: [], next_before_seq: null };
    expect(await list(channel.id)).toEqual(empty);
    expect(await list(channel.id, { after_seq: 0 })).toEqual(empty);
    expect(await list(channel.id, { before_seq: 1_000 })).toEqual(empty);
    expect(await list(channel.id, { before_seq: 0, limit: 1 })).toEqual(empty);
  });

  test('exactly one page: no cursor; one more than a page: a cursor to a page of one', async () => {
    const channel = await freshChannel();
    const sent = await sendMany(cast.owner.client, channel.id, 5);
    const page = await list(channel.id, { limit: 5 });
    expect(page).toEqual({ items: [...sent].reverse(), next_before_seq: null });
    // The default page is 50, so five messages are one page too.
    expect((await list(channel.id)).items).toEqual([...sent].reverse());

    const first = await list(channel.id, { limit: 4 });
    expect(ids(first.items)).toEqual(ids(sent.slice(1).reverse()));
    expect(first.next_before_seq).toBe(sent[1]!.seq);
    expect(await list(channel.id, { limit: 4, before_seq: first.next_before_seq! })).toEqual({ items: [sent[0]!], next_before_seq: null });
  });

  test('the default page is 50 and the largest is 100', async () => {
    const channel = await freshChannel();
    const sent = await sendMany(cast.owner.client, channel.id, 120, 40);
    const byDefault = await list(channel.id);
    expect(byDefault.items).toHaveLength(LIMITS.historyPageDefault);
    expect(byDefault.items[0]!.id).toBe(sent.at(-1)!.id);
    expect(byDefault.next_before_seq).toBe(sent[120 - 50]!.seq);
    const largest = await list(channel.id, { limit: 100 });
    expect(ids(largest.items)).toEqual(ids(sent.slice(20).reverse()));
    expect(largest.next_before_seq).toBe(sent[20]!.seq);
  });

  test('walking every page both ways yields the whole history once, newest first, across sequence gaps', async () => {
    const channel = await freshChannel();
    const sent: Message[] = [];
    // Reactions and edits take sequences in the same stream, so message sequences have gaps.
    for (const i of range(0, 22)) {
      const m = await cast.owner.client.messages.send.mutate({ channel_id: channel.id, content: `page text ${i}` });
      sent.push(m);
      if (i % 4 === 0) await cast.member.client.messages.react.mutate({ message_id: m.id, emoji: '👍' });
      if (i % 5 === 0) sent[i] = await cast.owner.client.messages.edit.mutate({ message_id: m.id, content: `edited ${i}` });
    }
    const seqs = sent.map((m) => m.seq);
    expect(seqs.at(-1)! - seqs[0]!).toBeGreaterThan(22);
    const expected = ids([...sent].reverse());

    for (const limit of [1, 5, 7, 23, 100]) {
      const back = await walkBackward((before_seq) => list(channel.id, { limit, before_seq }));
      expect(back.map((p) => p.length)).toEqual(pageSizes(23, limit));
      const flat = back.flat();
      expectNewestFirst(flat);
      expect(ids(flat)).toEqual(expected);

      const fwd = await walkForward((after_seq) => list(channel.id, { limit, after_seq }), limit);
      for (const p of fwd) expectNewestFirst(p);
      const forwardFlat = fwd.reverse().flat();
      expect(ids(forwardFlat)).toEqual(expected);
    }
    // Pages carry the message as it is now (edited content, reactions as this caller sees them).
    const [newestEdited] = (await list(channel.id, { before_seq: sent[20]!.seq + 1, limit: 1 })).items;
    expect(newestEdited).toMatchObject({ id: sent[20]!.id, content: 'edited 20', reactions: [{ emoji: '👍', count: 1, me: true }] });
    expect(newestEdited!.edited_at).not.toBeNull();
  });

  test('before_seq and after_seq together bound a window', async () => {
    const channel = await freshChannel();
    const sent = await sendMany(cast.owner.client, channel.id, 10);
    const window = await list(channel.id, { after_seq: sent[2]!.seq, before_seq: sent[8]!.seq, limit: 100 });
    expect(ids(window.items)).toEqual(ids(sent.slice(3, 8).reverse()));
    expect(window.next_before_seq).toBeNull();
    const small = await list(channel.id, { after_seq: sent[2]!.seq, before_seq: sent[8]!.seq, limit: 2 });
    expect(ids(small.items)).toEqual(ids([sent[7]!, sent[6]!]));
    expect(small.next_before_seq).toBe(sent[6]!.seq);
  });

  test('deleted messages never appear, not even as the extra row that decides the cursor', async () => {
    const channel = await freshChannel();
    const sent = await sendMany(cast.owner.client, channel.id, 12);
    const deleted = [0, 3, 4, 11].map((i) => sent[i]!);
    for (const m of deleted) await cast.owner.client.messages.delete.mutate({ message_id: m.id });
    const alive = sent.filter((m) => !deleted.includes(m));

    // Eight live messages: a page of eight is the whole history (the deleted first one is not "more").
    expect(await list(channel.id, { limit: 8 })).toEqual({ items: [...alive].reverse(), next_before_seq: null });
    for (const limit of [1, 3, 8]) {
      const back = (await walkBackward((before_seq) => list(channel.id, { limit, before_seq }))).flat();
      expect(ids(back)).toEqual(ids([...alive].reverse()));
      const fwd = (await walkForward((after_seq) => list(channel.id, { limit, after_seq }), limit)).reverse().flat();
      expect(ids(fwd)).toEqual(ids([...alive].reverse()));
    }
    const all = await history(cast.member.client, channel.id);
    expect(all.map((m) => m.id)).toEqual(ids(alive));
    expect(all.every((m) => m.content.startsWith('m'))).toBe(true);
  });

  test('paging back while messages arrive: no duplicates, no holes, nothing newer than the first page', async () => {
    const channel = await freshChannel();
    const before = await sendMany(cast.owner.client, channel.id, 40);
    const sending = sendMany(cast.admin.client, channel.id, 40, 4);
    const pages = await walkBackward((before_seq) => list(channel.id, { limit: 3, before_seq }));
    await sending;
    const walked = pages.flat();
    expectNewestFirst(walked);
    const top = walked[0]!.seq;
    const everything = await history(cast.member.client, channel.id);
    expect(everything).toHaveLength(80);
    expect(ids(walked)).toEqual(ids(everything.filter((m) => m.seq <= top).reverse()));
    expect(ids(walked).slice(-40)).toEqual(ids([...before].reverse()));
  });

  test('paging forward while messages arrive reaches every message exactly once', async () => {
    const channel = await freshChannel();
    await sendMany(cast.owner.client, channel.id, 10);
    let done = false;
    const sending = sendMany(cast.admin.client, channel.id, 60, 3).finally(() => (done = true));
    const walked: Message[] = [];
    let after = 0;
    // Keep reading until the writer has finished and a read after that found nothing new.
    for (;;) {
      const finished = done;
      const page = await list(channel.id, { after_seq: after, limit: 4 });
      expectNewestFirst(page.items);
      walked.push(...[...page.items].reverse());
      if (page.items.length) after = page.items[0]!.seq;
      else if (finished) break;
    }
    await sending;
    const seqs = walked.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(ids(walked)).size).toBe(70);
    expect(ids(walked)).toEqual(ids(await history(cast.member.client, channel.id)));
  });
});

describe('dms.list', () => {
  test('empty, exactly one page, and the same history from either side', async () => {
    const [a, b] = [cast.newcomer, cast.outsider];
    const empty = { items: [], next_before_seq: null };
    expect(await a.client.dms.list.query({ user_id: b.id })).toEqual(empty);
    expect(await a.client.dms.list.query({ user_id: b.id, after_seq: 0 })).toEqual(empty);
    expect(await a.client.dms.list.query({ user_id: b.id, before_seq: 5 })).toEqual(empty);

    const sent = [...(await sendDms(a, b, 3)), ...(await sendDms(b, a, 3, (i) => `reply ${i}`))];
    expect(sent.map((m) => m.seq)).toEqual(range(1, 6));
    const mine = await a.client.dms.list.query({ user_id: b.id, limit: 6 });
    expect(mine).toEqual({ items: [...sent].reverse(), next_before_seq: null });
    expect(await b.client.dms.list.query({ user_id: a.id, limit: 6 })).toEqual(mine);
    const short = await b.client.dms.list.query({ user_id: a.id, limit: 5 });
    expect(short.next_before_seq).toBe(2);
    expect(await b.client.dms.list.query({ user_id: a.id, limit: 5, before_seq: 2 })).toEqual({ items: [sent[0]!], next_before_seq: null });
  });

  test('walking every page both ways, with deleted messages skipped', async () => {
    const [a, b] = [cast.member, cast.other];
    const sent = await sendDms(a, b, 17, (i) => `walk ${i}`);
    for (const i of [0, 8, 16]) await a.client.dms.delete.mutate({ message_id: sent[i]!.id });
    await b.client.dms.react.mutate({ message_id: sent[5]!.id, emoji: '🎉' });
    const alive = sent.filter((_, i) => ![0, 8, 16].includes(i));
    const expected = ids([...alive].reverse());

    for (const limit of [1, 4, 14, 100]) {
      const back = await walkBackward((before_seq) => b.client.dms.list.query({ user_id: a.id, limit, before_seq }));
      expect(back.map((p) => p.length)).toEqual(pageSizes(14, limit));
      expect(ids(back.flat())).toEqual(expected);
      expectNewestFirst(back.flat());
      const fwd = await walkForward((after_seq) => a.client.dms.list.query({ user_id: b.id, limit, after_seq }), limit);
      expect(ids(fwd.reverse().flat())).toEqual(expected);
    }
    const reacted = (await a.client.dms.list.query({ user_id: b.id, before_seq: sent[5]!.seq + 1, limit: 1 })).items[0]!;
    expect(reacted.reactions).toEqual([{ emoji: '🎉', count: 1, me: false }]);
  });

  test('paging back while both sides send: no duplicates or holes', async () => {
    const [a, b] = [cast.admin, cast.owner];
    const before = await sendDms(a, b, 20);
    const sending = Promise.all([sendDms(a, b, 15, (i) => `a ${i}`), sendDms(b, a, 15, (i) => `b ${i}`)]);
    const pages = await walkBackward((before_seq) => b.client.dms.list.query({ user_id: a.id, limit: 3, before_seq }));
    await sending;
    const walked = pages.flat();
    expectNewestFirst(walked);
    const all = (await walkBackward((before_seq) => a.client.dms.list.query({ user_id: b.id, limit: 100, before_seq }))).flat();
    expect(all).toHaveLength(50);
    expect(ids(walked)).toEqual(ids(all.filter((m) => m.seq <= walked[0]!.seq)));
    expect(ids(walked).slice(-20)).toEqual(ids([...before].reverse()));
  });
});

/** Page sizes of a backward walk over `n` items: full pages, then the remainder (one empty page for none). */
function pageSizes(n: number, limit: number): number[] {
  if (n === 0) return [0];
  const sizes = Array.from({ length: Math.floor(n / limit) }, () => limit);
  if (n % limit) sizes.push(n % limit);
  return sizes;
}
