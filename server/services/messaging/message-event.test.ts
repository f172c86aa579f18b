import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { createEventLog } from '../../realtime/eventlog.ts';
import { channelStream, type StreamEvent } from '../../realtime/streams.ts';
import { presentMessage } from '../present.ts';
import type { Caller } from '../caller.ts';
import { channelMessageEvents } from './message-json.ts';
import { createSendBatcher } from './send-batch.ts';

/**
 * A channel `message` event is built in SQL twice: by the send path (send-batch.ts, published to
 * subscribers) and by replays, which read it back from the message row (message-json.ts).
 * presentMessage is the one owner of the shape: both must produce exactly its bytes.
 */
let server: TestServer;
let caller: Caller;
let channelId: string;
const published: StreamEvent[] = [];
let batcher: ReturnType<typeof createSendBatcher>;
const eventLog = () => createEventLog(server.database, [channelMessageEvents]);

beforeAll(async () => {
  server = await startTestServer();
  const { auth, groups, channels } = server.services;
  const session = await auth.register({ username: 'shape_owner', password: 'correct horse battery' }, '127.0.0.1');
  caller = { id: session.user.id, username: session.user.username } as Caller;
  const group = await groups.create(caller.id, { name: 'shapes' });
  channelId = (await channels.create(caller.id, { groupId: group.id, name: 'general', type: 'TEXT' })).id;
  // The real batch statement, with a notifier that keeps what would be published.
  batcher = createSendBatcher({
    database: server.database,
    eventLog: eventLog(),
    notifier: { durable: (e: StreamEvent[]) => published.push(...e) } as never,
  });
}, 60_000);
afterAll(() => server.stop());

/** The stored event at `seq` as a replay reads it. */
async function replayed(seq: number): Promise<string> {
  const [event] = await eventLog().read(channelStream(channelId), seq - 1, 1);
  expect(event?.seq).toBe(seq);
  return event!.json;
}

const shape = (m: { id: string; seq: number; content: string; created_at: string; edited_at: string | null }) =>
  JSON.stringify({
    type: 'message',
    ...presentMessage(
      {
        id: m.id,
        seq: m.seq,
        channelId,
        senderId: caller.id,
        content: m.content,
        createdAt: new Date(m.created_at),
        editedAt: m.edited_at ? new Date(m.edited_at) : null,
      },
      caller.username,
    ),
  });

describe('the SQL-built message event', () => {
  test('is byte for byte the JSON of presentMessage, when sent and when replayed, escapes and unicode included', async () => {
    const tricky = [
      'plain',
      'quotes " and \\ backslash',
      'newline\nand\ttab',
      'emoji 🎉 and ünïcödé',
      '</script><b>x</b>',
      '\u2028\u2029 and \u0001 control',
    ];
    for (const content of tricky) {
      const sent = await batcher.send({ caller, channelId, content });
      const live = published.find((e) => e.seq === sent.seq)!;
      expect(live.json).toBe(shape(sent));
      expect(await replayed(sent.seq)).toBe(shape(sent));
    }
  });

  test('a replay shows an edited message as it reads now, and a deleted one as its deletion notice', async () => {
    const { messages } = server.services;
    const kept = await messages.send(caller, { channelId, content: 'first draft' });
    const edited = await messages.edit(caller, kept.id, 'second thought');
    expect(await replayed(kept.seq)).toBe(shape(edited));

    const doomed = await messages.send(caller, { channelId, content: 'gone soon' });
    await messages.delete(caller, doomed.id);
    expect(await replayed(doomed.seq)).toBe(
      JSON.stringify({ type: 'message_deleted', id: doomed.id, seq: doomed.seq, channel_id: channelId }),
    );
  });
});
