import { afterAll, describe, expect, test } from 'bun:test';
import { brotliDecompressSync } from 'node:zlib';
import { acceptedEncodings, createStaticSite, type WebAsset } from './static.ts';

const html = `<!doctype html><html><head><title>t</title><script type="module" src="./chunk-a1b2c3d4.js"></script></head><body>${'<p>hello</p>'.repeat(30)}</body></html>`;
const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;
const precompressed = Bun.gzipSync(new TextEncoder().encode(script));
const assets: WebAsset[] = [
  { path: 'index.html', file: new Blob([html]) },
  { path: 'chunk-a1b2c3d4.js', file: new Blob([script]) },
  // Built with .gz beside it (scripts/build.ts): served as given, not compressed again.
  { path: 'chunk-a1b2c3d4.js.gz', file: new Blob([precompressed]) },
  { path: 'robots.txt', file: new Blob(['User-agent: *\nDisallow:\n'.repeat(20)]) },
];

let loads = 0;
const site = createStaticSite(async () => (loads++, assets), { iceServers: ['stun:stun.example:3478', 'turn:</script>'] });
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: async (req) => (await site.handle(req)) ?? new Response('not found', { status: 404 }),
});
afterAll(() => server.stop(true));
const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
// fetch() would decompress and drop Content-Encoding; ask for raw bytes explicitly.
const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(url(path), { method, headers: { 'accept-encoding': 'identity', ...headers }, decompress: false });

describe('encodings', () => {
  test('brotli when accepted, gzip when only gzip is, identity otherwise; always Vary: Accept-Encoding', async () => {
    const br = await get('/chunk-a1b2c3d4.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(script);
    expect(br.headers.get('vary')).toBe('Accept-Encoding');

    const gz = await get('/chunk-a1b2c3d4.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(new Uint8Array(await gz.arrayBuffer())).toEqual(precompressed);

    const plain = await get('/chunk-a1b2c3d4.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(Number(plain.headers.get('content-length'))).toBe(script.length);
  });

  test('q=0 refuses an encoding', async () => {
    const res = await get('/chunk-a1b2c3d4.js', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(acceptedEncodings('*;q=0')).toEqual(['identity']);
    expect(acceptedEncodings('*')).toEqual(['br', 'gzip', 'identity']);
    expect(acceptedEncodings(null)).toEqual(['identity']);
  });

  test('each file is loaded and compressed once, not per request', () => {
    expect(loads).toBe(1);
  });
});

describe('caching', () => {
  test('hashed files are immutable for a year; index.html and unhashed files revalidate', async () => {
    expect((await get('/chunk-a1b2c3d4.js')).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/')).headers.get('cache-control')).toBe('no-cache');
    expect((await get('/index.html')).headers.get('cache-control')).toBe('no-cache');
    expect((await get('/robots.txt')).headers.get('cache-control')).toBe('no-cache');
  });

  test('If-None-Match with the current ETag gets 304 without a body; each encoding has its own tag', async () => {
    const first = await get('/', { 'accept-encoding': 'br' });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+-br"$/);
    const again = await get('/', { 'accept-encoding': 'br', 'if-none-match': `"other", W/${etag}` });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('no-cache');

    // The brotli tag does not validate the identity representation.
    const identity = await get('/', { 'if-none-match': etag });
    expect(identity.status).toBe(200);
    expect(identity.headers.get('etag')).not.toBe(etag);
    expect((await get('/', { 'if-none-match': identity.headers.get('etag')! })).status).toBe(304);
  });

  test('HEAD has the headers and no body', async () => {
    const res = await get('/chunk-a1b2c3d4.js', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/-gz"$/);
    expect(await res.text()).toBe('');
  });
});

describe('routing and config', () => {
  test('index.html carries the configured ICE servers, with "<" escaped inside the script', async () => {
    const body = await (await get('/')).text();
    expect(body).toContain(
      '<head><script>window.PARLEY_ICE_SERVERS=[{"urls":"stun:stun.example:3478"},{"urls":"turn:\\u003c/script>"}]</script><title>',
    );
    expect(body.indexOf('PARLEY_ICE_SERVERS')).toBeLessThan(body.indexOf('chunk-a1b2c3d4.js'));
  });

  test('without ICE servers index.html is served as built (the ?stun= parameters stay in charge)', async () => {
    const plain = createStaticSite(async () => assets, { iceServers: [] });
    const res = await plain.handle(new Request('http://x/'));
    expect(await res!.text()).toBe(html);
  });

  test('unknown files, nested paths, other methods and API paths are not the site’s', async () => {
    expect((await get('/nope.js')).status).toBe(404);
    expect((await get('/a/b.js')).status).toBe(404);
    expect((await get('/healthz')).status).toBe(404);
    expect((await get('/chunk-a1b2c3d4.js.gz')).status).toBe(404);
    expect((await fetch(url('/'), { method: 'POST' })).status).toBe(404);
  });

  test('a build without index.html fails loading', async () => {
    const broken = createStaticSite(async () => [assets[1]!], { iceServers: [] });
    expect(broken.load()).rejects.toThrow('index.html');
  });
});
