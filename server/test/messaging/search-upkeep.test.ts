import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { type Account, groupWithChannel, startTestServer, type TestServer, users } from '../helpers/fixtures.ts';

/**
 * The search index is maintained in batches: sends append to its pending list and the search
 * upkeep merges the list in bulk. A message must be findable as soon as its send is acknowledged,
 * before the merge and after it, with the same answer. The timer is off here; the test merges.
 */
setDefaultTimeout(30_000);

let server: TestServer;
let alice: Account;
let channelId: string;
beforeAll(async () => {
  server = await startTestServer({ SEARCH_UPKEEP_SECONDS: '0' });
  [alice] = (await users(server.url, 'alice')) as [Account];
  channelId = (await groupWithChannel(alice, [])).channel.id;
}, 60_000);
afterAll(() => server?.stop(), 30_000);

const search = async (query: string) =>
  (await alice.client.messages.search.query({ query, channel_id: channelId })).map((m) => ({ id: m.id, content: m.content }));

/** Merges until nothing is pending; returns the pages merged by the first run. */
async function drain(): Promise<number> {
  const first = await server.upkeepSearch();
  while ((await server.upkeepSearch()) > 0);
  return first;
}

describe('batched search-index maintenance', () => {
  test('the index appends to a pending list (fastupdate) with a bounded backstop', async () => {
    const [row] = await server.database.rows<{ options: string[] }>(
      sql`select reloptions as options from pg_class where relname = 'messages_search_idx'`,
    );
    expect([...row!.options].sort()).toEqual(['fastupdate=true', 'gin_pending_list_limit=16384']);
  });

  test('a message is found right after its send, and the same way once the upkeep has merged it', async () => {
    await drain();
    const sent = [];
    for (let i = 0; i < 60; i++)
      sent.push(
        await alice.client.messages.send.mutate({ channel_id: channelId, content: `quokka sighting number ${i} near the lighthouse` }),
      );
    const rare = await alice.client.messages.send.mutate({ channel_id: channelId, content: 'a lonely narwhal' });

    const pending = { quokka: await search('quokka'), narwhal: await search('narwhal'), lighthouse: await search('lighthouse') };
    expect(pending.narwhal).toEqual([{ id: rare.id, content: rare.content }]);
    expect(new Set(pending.quokka.map((h) => h.id))).toEqual(new Set(sent.slice(-pending.quokka.length).map((m) => m.id)));
    expect(pending.quokka.length).toBeGreaterThan(0);

    expect(await drain()).toBeGreaterThan(0); // the words were pending, and are merged now
    expect(await server.upkeepSearch()).toBe(0);
    expect({ quokka: await search('quokka'), narwhal: await search('narwhal'), lighthouse: await search('lighthouse') }).toEqual(pending);
  });

  test('edits and deletions are searched by their present text, before and after a merge', async () => {
    const kept = await alice.client.messages.send.mutate({ channel_id: channelId, content: 'the pelican stays' });
    const edited = await alice.client.messages.send.mutate({ channel_id: channelId, content: 'the flamingo' });
    const deleted = await alice.client.messages.send.mutate({ channel_id: channelId, content: 'the pelican leaves' });
    await alice.client.messages.edit.mutate({ message_id: edited.id, content: 'the albatross' });
    await alice.client.messages.delete.mutate({ message_id: deleted.id });
    const expected = {
      pelican: [{ id: kept.id, content: kept.content }],
      flamingo: [],
      albatross: [{ id: edited.id, content: 'the albatross' }],
    };
    const now = async () => ({
      pelican: await search('pelican'),
      flamingo: await search('flamingo'),
      albatross: await search('albatross'),
    });
    expect(await now()).toEqual(expected);
    await drain();
    expect(await now()).toEqual(expected);
  });
});
