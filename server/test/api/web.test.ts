import { afterAll, beforeAll, expect, test } from 'bun:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The web app through the real server: built from client/web (once, when dist/web is missing or stale), compressed, cached. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ ICE_SERVERS: 'stun:stun.example:3478' });
  // The first request builds dist/web when it is missing or stale: inside the hook's longer timeout.
  await fetch(server.url + '/');
}, 180_000);
afterAll(() => server?.stop());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(server.url + path, { headers: { 'accept-encoding': 'identity', ...headers }, decompress: false });

test('GET / is the app with the configured ICE servers; its script comes compressed and immutable', async () => {
  const page = await get('/', { 'accept-encoding': 'gzip' });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('cache-control')).toBe('no-cache');
  const html = gunzipSync(Buffer.from(await page.arrayBuffer())).toString();
  expect(html).toContain('<script>window.PARLEY_ICE_SERVERS=[{"urls":"stun:stun.example:3478"}]</script>');
  const src = /src="\.\/([^"]+\.js)"/.exec(html)?.[1];
  expect(src).toMatch(/^[\w-]+-[a-z0-9]{8}\.js$/);

  const plain = await get(`/${src}`);
  const br = await get(`/${src}`, { 'accept-encoding': 'br, gzip' });
  expect(br.status).toBe(200);
  expect(br.headers.get('content-encoding')).toBe('br');
  expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  const compressed = new Uint8Array(await br.arrayBuffer());
  const original = await plain.text();
  expect(compressed.byteLength).toBeLessThan(original.length / 2);
  expect(brotliDecompressSync(compressed).toString()).toBe(original);
  // A production React build, not the development one.
  expect(original).not.toContain('react.development');

  const revalidated = await get(`/${src}`, { 'accept-encoding': 'br', 'if-none-match': br.headers.get('etag')! });
  expect(revalidated.status).toBe(304);
});

test('API routes are unaffected and unknown paths are still 404 JSON', async () => {
  expect((await get('/healthz')).status).toBe(200);
  const missing = await get('/no-such-file.js');
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ error: 'not found' });
});
