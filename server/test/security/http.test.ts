import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { LIMITS } from '../../../shared/limits.ts';
import { httpClient } from '../helpers/clients.ts';
import { expectCode } from '../helpers/fixtures.ts';
import { users } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { rawHttp } from './support.ts';

/** Issue 11, items 4, 8 and 15: the HTTP edge. */
setDefaultTimeout(60_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 240_000);
afterAll(() => server?.stop(), 30_000);

describe('request bodies over 1 MiB (item 8)', () => {
  test('a declared Content-Length over the limit is PAYLOAD_TOO_LARGE before one byte of the body is sent', async () => {
    const head = (bytes: number) =>
      `POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`;
    const res = await rawHttp(server.port, head(LIMITS.requestBodyMaxBytes + 1));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    // Far past every route's limit Bun's own backstop answers (413 as well, but not tRPC-shaped).
    expect((await rawHttp(server.port, head(100 * 1024 * 1024))).status).toBe(413);
  });

  test('a chunked body is refused as soon as it passes the limit', async () => {
    const chunk = ' '.repeat(256 * 1024);
    const chunks = Array(8)
      .fill(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)
      .join('');
    const head = 'POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const res = await rawHttp(server.port, head, chunks);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error.data.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('a stock client sees PAYLOAD_TOO_LARGE; bodies under the limit are served as before', async () => {
    const [alice] = await users(server.url, 'alice');
    const big = 'a'.repeat(LIMITS.requestBodyMaxBytes + 1);
    await expectCode(alice!.client.groups.create.mutate({ name: 'g', description: big }), 'PAYLOAD_TOO_LARGE');
    const fine = 'b'.repeat(LIMITS.requestBodyMaxBytes - 1024);
    await expectCode(alice!.client.groups.create.mutate({ name: 'g', description: fine }), 'BAD_REQUEST');
  });
});

describe('subscriptions over HTTP (item 4)', () => {
  test('are refused with METHOD_NOT_SUPPORTED (served over the WebSocket only), before any stream opens', async () => {
    const [alice] = await users(server.url, 'alice');
    for (const accept of ['text/event-stream', 'application/json']) {
      const res = await fetch(`${server.url}/trpc/realtime.me?input=${encodeURIComponent('{}')}`, {
        headers: { authorization: `Bearer ${alice!.token}`, accept },
      });
      expect(res.status).toBe(405);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = (await res.json()) as any;
      expect(body.error.data.code).toBe('METHOD_NOT_SUPPORTED');
      expect(body.error.message).toContain('WebSocket');
    }
  });
});

describe('/metrics (item 15)', () => {
  test('with METRICS_TOKEN it answers only the right bearer token; without it, anyone', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    const token = 'metrics-token-0123456789';
    await using guarded = await startTestServer({ METRICS_TOKEN: token });
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('parley_ws_connections');
    // The token guards metrics only: the API and health checks are unchanged.
    expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
    await expectCode(httpClient(guarded.url).auth.me.query(), 'UNAUTHORIZED');
  }, 240_000);
});
