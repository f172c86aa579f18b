import { describe, expect, test } from 'bun:test';
import { TRPCClientError } from '../../index.ts';
import type { ChatMessage } from './conversation.ts';
import { Outbox } from './outbox.ts';

const message = (content: string, seq: number): ChatMessage => ({
  id: crypto.randomUUID(),
  seq,
  sender_id: 'me',
  sender_username: 'me',
  content,
  created_at: new Date().toISOString(),
  edited_at: null,
  reactions: [],
  attachments: [],
});

/** Resolves once `outbox` has no items left (or fails after a while). */
const drained = (outbox: Outbox, pred = () => outbox.getItems().length === 0) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not drained: ${JSON.stringify(outbox.getItems())}`)), 5000);
    const check = () => {
      if (pred()) {
        clearTimeout(t);
        resolve();
      }
    };
    outbox.subscribe(check);
    check();
  });

describe('Outbox', () => {
  test('sends one at a time, in the order queued, and reports each', async () => {
    const outbox = new Outbox();
    const sent: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    outbox.onSent((_key, m) => sent.push(m.content));
    const send = async (content: string) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      // Yield to the event loop a varying number of times: a slow send must not let the next one start.
      for (let i = 0; i < sent.length % 3; i++) await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return message(content, sent.length + 1);
    };
    const texts = Array.from({ length: 25 }, (_, i) => `m${i}`);
    for (const t of texts) outbox.enqueue('c:1', send, t, crypto.randomUUID());
    await drained(outbox);
    expect(sent).toEqual(texts);
    expect(maxInFlight).toBe(1);
    outbox.dispose();
  });

  test('a failure keeps the message and holds back later ones until retried, with the same nonce', async () => {
    const outbox = new Outbox();
    const nonces: string[] = [];
    let fail = true;
    const sent: string[] = [];
    outbox.onSent((_k, m) => sent.push(m.content));
    const send = async (content: string, nonce: string) => {
      nonces.push(nonce);
      if (fail && content === 'a')
        throw new TRPCClientError('Forbidden', {
          result: { error: { code: -32003, message: 'no', data: { code: 'FORBIDDEN' } } } as never,
        });
      return message(content, 1);
    };
    outbox.enqueue('c:1', send, 'a', 'n-a');
    outbox.enqueue('c:1', send, 'b', 'n-b');
    await drained(outbox, () => outbox.getItems()[0]?.status === 'failed');
    expect(outbox.getItems().map((i) => [i.content, i.status])).toEqual([
      ['a', 'failed'],
      ['b', 'queued'],
    ]);
    expect(outbox.getItems()[0]!.error).toBeTruthy();
    fail = false;
    outbox.retry('c:1');
    await drained(outbox);
    expect(sent).toEqual(['a', 'b']);
    expect(nonces).toEqual(['n-a', 'n-a', 'n-b']);
    outbox.dispose();
  });

  test('discarding a failed message hands its text back and lets the rest go', async () => {
    const outbox = new Outbox();
    const sent: string[] = [];
    outbox.onSent((_k, m) => sent.push(m.content));
    const send = async (content: string) => {
      if (content === 'bad') throw new Error('nope');
      return message(content, 1);
    };
    outbox.enqueue('c:1', send, 'bad', 'n1');
    outbox.enqueue('c:1', send, 'good', 'n2');
    await drained(outbox, () => outbox.getItems()[0]?.status === 'failed');
    expect(outbox.discard('n1')).toEqual({ content: 'bad', attachments: [] });
    await drained(outbox);
    expect(sent).toEqual(['good']);
    outbox.dispose();
  });

  test('conversations do not wait for each other', async () => {
    const outbox = new Outbox();
    const sent: string[] = [];
    outbox.onSent((k, m) => sent.push(`${k}:${m.content}`));
    outbox.enqueue('c:1', async () => Promise.reject(new Error('stuck')), 'x', 'n1');
    outbox.enqueue('c:2', async (c) => message(c, 1), 'y', 'n2');
    await drained(outbox, () => sent.length === 1);
    expect(sent).toEqual(['c:2:y']);
    outbox.dispose();
  });

  test('a message carries its files’ ids, the same ones on every retry, and gives them back when discarded', async () => {
    const outbox = new Outbox();
    const file = (id: string) => ({
      id,
      filename: `${id}.png`,
      content_type: 'image/png',
      size: 1,
      width: 1,
      height: 1,
      url: null,
      uploader_id: 'me',
      created_at: new Date().toISOString(),
    });
    const files = [file('f1'), file('f2')];
    const calls: [string, string[]][] = [];
    const send = async (content: string, _nonce: string, ids: string[]) => {
      calls.push([content, ids]);
      throw new Error('nope');
    };
    outbox.enqueue('c:1', send, '', 'n1', files);
    await drained(outbox, () => outbox.getItems()[0]?.status === 'failed');
    outbox.retry('c:1');
    await drained(outbox, () => calls.length === 2 && outbox.getItems()[0]?.status === 'failed');
    expect(calls).toEqual([
      ['', ['f1', 'f2']],
      ['', ['f1', 'f2']],
    ]);
    expect(outbox.discard('n1')).toEqual({ content: '', attachments: files });
    outbox.dispose();
  });
});
