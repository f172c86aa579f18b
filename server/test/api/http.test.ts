import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type Account, groupWithChannel, register, startTestServer, type TestServer, wsClient } from '../helpers/fixtures.ts';

/** The plain HTTP surface: health, readiness, metrics, unknown paths, and malformed tRPC requests. */
let server: TestServer;
let alice: Account;
beforeAll(async () => {
  server = await startTestServer();
  alice = await register(server.url, 'alice');
}, 60_000);
afterAll(() => server.stop(), 30_000);

const get = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init);

describe('operational endpoints', () => {
  test('/healthz is 200 with status ok', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('/readyz is 200 and reports its database and bus checks', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', bus: 'ok' } });
  });

  test('/metrics is Prometheus text with parley_ metrics that count traffic', async () => {
    await alice.client.auth.me.query();
    await alice.client.groups.list.query();
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE parley_http_requests_total counter');
    expect(text).toContain('# HELP parley_http_requests_total');
    const trpc = /^parley_http_requests_total\{route="trpc"\} (\d+)$/m.exec(text);
    expect(Number(trpc?.[1])).toBeGreaterThanOrEqual(3);
    expect(text).toContain('# TYPE parley_ws_connections gauge');
    expect(text).toMatch(/^parley_subscriptions 0$/m);
    // Every sample line is `name{labels} value`, as Prometheus parses it.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][\w:]*(\{.*\})? (-?[\d.e+-]+|NaN|[+-]Inf)$/);
    }
  });

  test('/metrics has the usual process metrics but none that walk the heap or list the descriptors on each scrape', async () => {
    const text = await (await get('/metrics')).text();
    const names = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_max_fds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
    ]) {
      expect({ name, exported: names.has(name) }).toEqual({ name, exported: true });
    }
    for (const name of [
      'nodejs_heap_space_size_used_bytes',
      'nodejs_heap_space_size_total_bytes',
      'nodejs_heap_space_size_available_bytes',
      'process_open_fds',
    ]) {
      expect({ name, exported: names.has(name) }).toEqual({ name, exported: false });
    }
    expect(Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(1_000_000);
  });

  test('/metrics times each procedure called over the WebSocket, by path', async () => {
    const sample = async () =>
      Number(
        /^parley_procedure_seconds_count\{path="auth.me",transport="ws"\} (\d+)$/m.exec(await (await get('/metrics')).text())?.[1] ?? 0,
      );
    const before = await sample();
    const socket = wsClient(server.url, alice.token);
    try {
      for (let i = 0; i < 3; i++) expect((await socket.api.auth.me.query()).id).toBe(alice.id);
    } finally {
      socket.close();
    }
    expect((await sample()) - before).toBe(3);
  });

  test('/metrics counts the group commits of channel messages and the messages in them', async () => {
    const sample = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await get('/metrics')).text())?.[1] ?? 0);
    // Its own user: other tests here expect alice to have no groups.
    const sender = await register(server.url, 'metrics_sender');
    const { channel } = await groupWithChannel(sender, []);
    const messages = await sample('parley_send_batch_messages_sum');
    const commits = await sample('parley_send_batch_messages_count');
    const writes = await sample('parley_send_write_seconds_count');
    // Three at once may share commits; each is counted once, and every commit has its write timed.
    await Promise.all(['a', 'b', 'c'].map((content) => sender.client.messages.send.mutate({ channel_id: channel.id, content })));
    expect((await sample('parley_send_batch_messages_sum')) - messages).toBe(3);
    const newCommits = (await sample('parley_send_batch_messages_count')) - commits;
    expect(newCommits).toBeGreaterThanOrEqual(1);
    expect(newCommits).toBeLessThanOrEqual(3);
    expect((await sample('parley_send_write_seconds_count')) - writes).toBe(newCommits);
    expect(await sample('parley_send_publish_seconds_sum')).toBeGreaterThan(0);
  });

  test('an unknown path is 404', async () => {
    for (const path of ['/nope', '/trpcx', '/healthz/extra', '/ws/unknown']) {
      const res = await get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      await res.body?.cancel();
    }
  });
});

describe('malformed tRPC requests get typed errors, never 500', () => {
  const auth = () => ({ authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' });

  test('an unknown procedure is NOT_FOUND (404)', async () => {
    const res = await get('/trpc/groups.nothing', { headers: auth() });
    expect(res.status).toBe(404);
    expect((await res.json()).error.data.code).toBe('NOT_FOUND');
  });

  test('a body that is not JSON is a 400 BAD_REQUEST or PARSE_ERROR', async () => {
    for (const [path, body] of [
      ['/trpc/groups.create', '{oops'],
      ['/trpc/groups.create?batch=1', '{"0":'],
      ['/trpc/groups.create', ''],
    ] as const) {
      const res = await get(path, { method: 'POST', headers: auth(), body });
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      const json = await res.json();
      const error = Array.isArray(json) ? json[0].error : json.error;
      expect(error.data.code).toBeOneOf(['BAD_REQUEST', 'PARSE_ERROR']);
    }
    expect((await alice.client.groups.list.query()).map((g) => g.name)).not.toContain('oops');
  });

  test('a query input that is not JSON is a 400', async () => {
    const res = await get('/trpc/groups.get?input=%7Boops', { headers: auth() });
    expect(res.status).toBe(400);
    expect((await res.json()).error.data.code).toBeOneOf(['BAD_REQUEST', 'PARSE_ERROR']);
  });

  test('the wrong method for a procedure is METHOD_NOT_SUPPORTED (405)', async () => {
    const mutationByGet = await get('/trpc/groups.create?input=%7B%22name%22%3A%22x%22%7D', { headers: auth() });
    expect(mutationByGet.status).toBe(405);
    expect((await mutationByGet.json()).error.data.code).toBe('METHOD_NOT_SUPPORTED');
    const queryByPost = await get('/trpc/groups.list', { method: 'POST', headers: auth(), body: '{}' });
    expect(queryByPost.status).toBe(405);
    expect((await queryByPost.json()).error.data.code).toBe('METHOD_NOT_SUPPORTED');
    expect(await alice.client.groups.list.query()).toEqual([]);
  });

  test('errors never leak stack traces or SQL', async () => {
    const res = await get('/trpc/groups.get?input=%7B%22group_id%22%3A%22x%22%7D', { headers: auth() });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).not.toContain('stack');
    expect(text).not.toMatch(/select |insert into|\.ts:\d+/i);
  });
});
