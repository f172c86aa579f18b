import { connect } from 'node:net';
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

/**
 * One HTTP/1.1 exchange over a raw TCP socket, optionally from another loopback address
 * (127.0.0.2, ...: how a test plays clients at different addresses). Resolves with the first
 * complete response, even if the server closes while the rest of a refused body is written.
 */
export function rawHttp(
  port: number,
  head: string,
  body = '',
  localAddress?: string,
): Promise<{ status: number; headers: string; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress && { localAddress }) }, () => socket.write(head + body));
    let text = '';
    let done = false;
    socket.on('data', (d) => {
      text += d.toString();
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (!done && end >= 0 && length !== undefined && Buffer.byteLength(text.slice(end + 4)) >= Number(length)) {
        done = true;
        socket.destroy();
        resolve({ status: Number(text.split(' ')[1]), headers: text.slice(0, end), text: text.slice(end + 4) });
      }
    });
    socket.on('error', (err) => !done && !text && reject(err));
    // A response without Content-Length (Bun's own refusals) ends with the connection.
    socket.on('close', () => {
      if (done || !text) return;
      done = true;
      const end = text.indexOf('\r\n\r\n');
      resolve({ status: Number(text.split(' ')[1]), headers: text.slice(0, end), text: end >= 0 ? text.slice(end + 4) : '' });
    });
    setTimeout(() => !done && reject(new Error(`no response; got ${text.slice(0, 200)}`)), 60_000).unref();
  });
}

/** A tRPC mutation over HTTP from `localAddress`; returns the status and the parsed body. */
export async function mutateFrom(port: number, localAddress: string, path: string, input: unknown) {
  const body = JSON.stringify(input);
  const head = `POST /trpc/${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  const res = await rawHttp(port, head, body, localAddress);
  const json = JSON.parse(res.text) as { result?: { data: any }; error?: { data: { code: string } } };
  return { status: res.status, code: json.error?.data.code ?? 'OK', data: json.result?.data };
}
