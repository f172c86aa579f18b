import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { TYPING_RULE } from '../../ratelimit/bucket.ts';
import { RawSocket } from '../helpers/raw.ts';
import { Closer, groupWithChannel, users } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Issue 11, item 6: a typing flood is dropped per user and does not hold up anyone else. */
setDefaultTimeout(120_000);

let server: TestServer;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer();
}, 240_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

describe('typing floods', () => {
  test('a flood of realtime.typing is dropped past the burst; other users still get their messages', async () => {
    const [flooder, sender, reader] = await users(server.url, 'flooder', 'sender', 'reader');
    const { channel } = await groupWithChannel(flooder!, [sender!, reader!]);
    const watch = closer.add(await RawSocket.open(server.url, { token: reader!.token }));
    expect((await watch.joinChannel('c', channel.id)).result).toEqual({ type: 'started' });
    const flood = closer.add(await RawSocket.open(server.url, { token: flooder!.token }));
    await flood.call('warm', 'query', 'auth.me');

    const begun = performance.now();
    for (let wave = 0; wave < 4; wave++) {
      const calls = Array.from({ length: 250 }, (_, i) => ({
        id: wave * 1000 + i,
        method: 'mutation',
        params: { path: 'realtime.typing', input: { channel_id: channel.id, is_typing: i % 2 === 0 } },
      }));
      flood.send(calls);
      // Meanwhile another user's messages reach the reader.
      const sent = await sender!.client.messages.send.mutate({ channel_id: channel.id, content: `during flood ${wave}` });
      await watch.next('c', (j) => j.result?.data?.data?.id === sent.id, 0, 30_000);
    }
    await flood.frames.until((items) => items.filter((f) => typeof f.json?.id === 'number').length >= 1000, 60_000, 'every answer');
    const seconds = (performance.now() - begun) / 1000;
    // Dropped quietly: the flooder's calls succeed (or are refused for being too many at once), never fail otherwise.
    const answers = flood.frames.items.filter((f) => typeof f.json?.id === 'number').map((f) => f.json);
    expect(answers.every((a) => a.result?.data?.ok === true || a.error?.data?.code === 'TOO_MANY_REQUESTS')).toBe(true);

    // Barrier: a message sent now reaches the reader after every typing event the flood produced.
    const last = await sender!.client.messages.send.mutate({ channel_id: channel.id, content: 'after the flood' });
    await watch.next('c', (j) => j.result?.data?.data?.id === last.id, 0, 30_000);
    const typing = watch.data('c').filter((f) => f.json.result.data.type === 'typing' && f.json.result.data.user_id === flooder!.id);
    const allowed = TYPING_RULE.burst + Math.ceil(seconds * TYPING_RULE.perSecond) + 1;
    expect(typing.length).toBeGreaterThan(0);
    expect(typing.length).toBeLessThanOrEqual(allowed);
  });
});
