import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { channelStream } from '../../realtime/streams.ts';
import { presentMessage } from '../present.ts';

/**
 * The hot send path builds each `message` event's JSON in SQL (send-batch.ts) so it is written in
 * the same statement as the message. presentMessage is the one owner of the shape: the SQL must
 * produce exactly its bytes (same fields, same order, same escaping).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server.stop());

describe('the SQL-built message event', () => {
  test('is byte for byte the JSON of presentMessage, escapes and unicode included', async () => {
    const { auth, groups, channels, messages } = server.services;
    const session = await auth.register({ username: 'shape_owner', password: 'correct horse battery' });
    const caller = { id: session.user.id, username: session.user.username };
    const group = await groups.create(caller.id, { name: 'shapes' });
    const channel = await channels.create(caller.id, { groupId: group.id, name: 'general', type: 'TEXT' });
    const tricky = [
      'plain',
      'quotes " and \\ backslash',
      'newline\nand\ttab',
      'emoji 🎉 and ünïcödé',
      '</script><b>x</b>',
      '\u2028\u2029 and \u0001 control',
    ];
    for (const content of tricky) {
      const sent = await messages.send(caller, { channelId: channel.id, content });
      const [row] = await server.database.rows<{ payload: string }>(
        sql`select payload from events where stream = ${channelStream(channel.id)} and seq = ${sent.seq}`,
      );
      const stored = {
        id: sent.id,
        seq: sent.seq,
        channelId: channel.id,
        senderId: caller.id,
        content,
        createdAt: new Date(sent.created_at),
        editedAt: null,
      };
      expect(row!.payload).toBe(JSON.stringify({ type: 'message', ...presentMessage(stored, caller.username) }));
    }
  });
});
