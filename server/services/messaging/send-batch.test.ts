import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eventually } from '../../test/helpers/events.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { createEventLog } from '../../realtime/eventlog.ts';
import type { StreamEvent } from '../../realtime/streams.ts';
import type { Database } from '../../db/client.ts';
import type { Caller } from '../caller.ts';
import { channelMessageEvents } from './message-json.ts';
import { createSendBatcher } from './send-batch.ts';

/**
 * How the group commit cuts batches: one batch per channel at a time (a second would only wait
 * on the first's counter row and cost its own commit and fan-out), and a sender capped at 16
 * requests in flight gets its 16 sends committed together, not split for good into 1 + 15.
 */
let server: TestServer;
let caller: Caller;
const channels: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const { auth, groups, channels: service } = server.services;
  const session = await auth.register({ username: 'batch_cutter', password: 'correct horse battery' }, '127.0.0.1');
  caller = { id: session.user.id, username: session.user.username } as Caller;
  const group = await groups.create(caller.id, { name: 'batches' });
  for (const name of ['first', 'second', 'third', 'fourth'])
    channels.push((await service.create(caller.id, { groupId: group.id, name, type: 'TEXT' })).id);
}, 60_000);
afterAll(() => server.stop());

/** A batcher on the real statement whose writes wait until `open()`; it records each batch's channels. */
function gatedBatcher() {
  const batches: string[][] = [];
  let waiting: Array<() => void> = [];
  let gateOpen = false;
  const writer = server.database.batchWriter;
  const database: Database = {
    ...server.database,
    batchWriter: {
      db: writer.db,
      async rows(query, tx) {
        if (!gateOpen) await new Promise<void>((resolve) => waiting.push(resolve));
        return writer.rows(query, tx);
      },
    },
  };
  const batcher = createSendBatcher({
    database,
    eventLog: createEventLog(server.database, [channelMessageEvents]),
    notifier: {
      durable(events: StreamEvent[]) {
        batches.push(events.map((e) => e.stream));
      },
    } as never,
  });
  return {
    batcher,
    batches,
    /** Writes held so far. */
    held: () => waiting.length,
    open() {
      gateOpen = true;
      for (const go of waiting) go();
      waiting = [];
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('the group commit', () => {
  test("sends for a channel with a batch in flight wait for it, and go in the next batch in arrival order; other channels' do not wait", async () => {
    const [a, b] = channels as [string, string];
    const g = gatedBatcher();
    const send = (channelId: string, content: string) => g.batcher.send({ caller, channelId, content });
    const first = [send(a, 'a1'), send(a, 'a2')];
    await eventually(() => g.held() === 1, 5000, 'the batch for A to be written');
    const later = [send(a, 'a3'), send(b, 'b1'), send(a, 'a4')];
    await eventually(() => g.held() === 2, 5000, 'a second writer to take B alone');
    g.open();
    const sent = await Promise.all([...first, ...later]);
    const [a1, a2, a3, b1, a4] = sent;
    // Three batches: A's first two, B's one (written alongside), then A's two that waited.
    expect(g.batches.map((streams) => streams.length).sort()).toEqual([1, 2, 2]);
    expect(g.batches.find((streams) => streams.length === 1)![0]).toContain(b);
    expect([a1, a2, a3, a4].map((m) => m!.seq)).toEqual([a1!.seq, a1!.seq + 1, a1!.seq + 2, a1!.seq + 3]);
    expect(b1!.channel_id).toBe(b);
    expect(sent.map((m) => m!.content)).toEqual(['a1', 'a2', 'a3', 'b1', 'a4']);
  });

  test('a sender with 16 in flight, whose next send starts a turn after each ack, gets its sends committed 16 at a time', async () => {
    const channelId = channels[2]!;
    const g = gatedBatcher();
    g.open();
    const total = 80;
    const acked: number[] = [];
    let started = 0;
    // As TrpcConnection.admit does: a finished request hands its slot to the next one on a later turn.
    const start = () => {
      if (started === total) return;
      const n = started++;
      void g.batcher.send({ caller, channelId, content: `m${n}` }).then((m) => {
        acked.push(m.seq);
        setImmediate(start);
      });
    };
    // The first send arrives alone and is written at once; the other 15 arrive in the next read.
    start();
    await turn();
    for (let i = 0; i < 15; i++) start();
    await eventually(() => acked.length === total, 5000, 'every send to be acknowledged');
    const sizes = g.batches.map((streams) => streams.length);
    expect(sizes.reduce((x, y) => x + y, 0)).toBe(total);
    // The 15 wait for the lone first send's batch, and go with the send its ack let in.
    expect(sizes).toEqual([1, 16, 16, 16, 16, 15]);
    expect(acked).toEqual([...acked].sort((x, y) => x - y));
  });
});
