import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { expectCode } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { download, form, HTML, png, SVG, uploader, withParam, type Uploader } from './support.ts';

// Real servers on a shared, busy machine: allow for slow starts and slow hashing.
setDefaultTimeout(60_000);
let server: TestServer;
let ada: Uploader;
let bob: Uploader;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_UPLOADS: 'off' });
  [ada, bob] = await Promise.all([uploader(server.url, 'ada'), uploader(server.url, 'bob')]);
}, 180_000);
afterAll(() => server.stop());

const upload = (bytes: Uint8Array<ArrayBuffer> | string, name: string, type = '') => ada.api.files.upload.mutate(form(bytes, name, type));

describe('GET /files/<id>/<name>', () => {
  test('an image is served inline with its type, length, ETag, nosniff and a sandbox CSP', async () => {
    const bytes = png(8, 8, 5000);
    const file = await upload(bytes, 'pic.png', 'image/png');
    const res = await download(server.url, file.url!);
    expect(res.status).toBe(200);
    expect(
      Object.fromEntries(
        ['content-type', 'content-length', 'x-content-type-options', 'content-security-policy', 'accept-ranges'].map((h) => [
          h,
          res.headers.get(h),
        ]),
      ),
    ).toEqual({
      'content-type': 'image/png',
      'content-length': String(bytes.length),
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      'accept-ranges': 'bytes',
    });
    expect(res.headers.get('content-disposition')).toStartWith('inline; filename="pic.png"');
    expect(res.headers.get('etag')).toBe(`"${new Bun.CryptoHasher('sha256').update(bytes).digest('hex')}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  test('HTML, SVG and unknown binaries are downloads (attachment), never pages; plain text and PDF are inline', async () => {
    const cases: [string | Uint8Array<ArrayBuffer>, string, string, string][] = [
      [HTML, 'page.html', 'text/html', 'attachment'],
      [SVG, 'logo.svg', 'image/svg+xml', 'attachment'],
      [new Uint8Array([0, 159, 146, 150]), 'data.bin', '', 'attachment'],
      ['console.log(1)', 'x.js', 'text/javascript', 'attachment'],
      ['just text', 'notes.txt', 'text/plain', 'inline'],
      ['%PDF-1.4\n%\u00e2\u00e3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF', 'doc.pdf', 'application/pdf', 'inline'],
    ];
    for (const [bytes, name, type, disposition] of cases) {
      const file = await upload(bytes, name, type);
      const res = await download(server.url, file.url!);
      expect({ name, status: res.status, disposition: res.headers.get('content-disposition')?.split(';')[0] }).toEqual({
        name,
        status: 200,
        disposition,
      });
      expect(res.headers.get('content-security-policy')).toBe('sandbox');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const html = await upload(HTML, 'page.html', 'text/html');
    expect((await download(server.url, html.url!)).headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  test('a non-ASCII filename is kept and quoted safely in Content-Disposition', async () => {
    const file = await upload('x', 'résumé 100%.txt', 'text/plain');
    expect(file.filename).toBe('résumé 100%.txt');
    const res = await download(server.url, file.url!);
    expect(res.headers.get('content-disposition')).toBe(
      `inline; filename="r_sum_ 100_.txt"; filename*=UTF-8''${encodeURIComponent('résumé 100%.txt')}`,
    );
  });

  test('ranges: 206 with Content-Range, suffix and open ranges, 416 past the end, several ranges get the whole file', async () => {
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) & 0xff);
    const file = await upload(bytes, 'video.bin');
    const get = (range: string, extra: Record<string, string> = {}) => download(server.url, file.url!, { headers: { range, ...extra } });

    let res = await get('bytes=0-99');
    expect([res.status, res.headers.get('content-range'), res.headers.get('content-length')]).toEqual([206, 'bytes 0-99/10000', '100']);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes.slice(0, 100));

    res = await get('bytes=9000-');
    expect([res.status, res.headers.get('content-range')]).toEqual([206, 'bytes 9000-9999/10000']);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes.slice(9000));

    res = await get('bytes=-10');
    expect(res.headers.get('content-range')).toBe('bytes 9990-9999/10000');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes.slice(9990));

    res = await get('bytes=5000-99999');
    expect(res.headers.get('content-range')).toBe('bytes 5000-9999/10000');

    res = await get('bytes=10000-');
    expect([res.status, res.headers.get('content-range')]).toEqual([416, 'bytes */10000']);

    res = await get('bytes=0-1,5-6');
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(10_000);

    // If-Range with another validator: the file changed for the client, so it gets all of it.
    res = await get('bytes=0-1', { 'if-range': '"stale"' });
    expect(res.status).toBe(200);
    res = await get('bytes=0-1', { 'if-range': file.url ? (await download(server.url, file.url)).headers.get('etag')! : '' });
    expect(res.status).toBe(206);
  });

  test('ETag revalidation: If-None-Match with the current tag is 304; HEAD sends headers only', async () => {
    const file = await upload('cache me', 'c.txt', 'text/plain');
    const first = await download(server.url, file.url!);
    const etag = first.headers.get('etag')!;
    const again = await download(server.url, file.url!, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const head = await download(server.url, file.url!, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), head.headers.get('etag')]).toEqual([200, '8', etag]);
  });
});

describe('signatures', () => {
  test('a forged, tampered, expired, transplanted or missing signature is 403', async () => {
    const file = await upload('secret', 's.txt', 'text/plain');
    const other = await upload('other', 'o.txt', 'text/plain');
    const url = file.url!;
    const sig = new URL(url, server.url).searchParams.get('sig')!;
    const exp = Number(new URL(url, server.url).searchParams.get('exp'));
    const forged = [
      withParam(url, 'sig', Buffer.alloc(32, 7).toString('base64url')),
      withParam(url, 'sig', sig.slice(0, -2)),
      withParam(url, 'exp', String(exp + 3600)),
      withParam(url, 'u', bob.id),
      // Another file's valid signature on this file's path.
      `/files/${file.id}/s.txt${new URL(other.url!, server.url).search}`,
      `/files/${file.id}/s.txt`,
      withParam(url, 'exp', 'soon'),
    ];
    for (const bad of forged) expect({ bad, status: (await download(server.url, bad)).status }).toEqual({ bad, status: 403 });
    // Correctly signed but expired.
    const expired = server.services.signer.url(file.id, 's.txt', ada.id, 60, Date.now() - 2 * 3600_000);
    expect((await download(server.url, expired)).status).toBe(403);
    // The filename in the path is cosmetic; the signature covers the file and the user.
    expect((await download(server.url, url.replace('/s.txt?', '/renamed.txt?'))).status).toBe(200);
  });

  test('a link signed for someone who cannot see the file is 404; an unknown file is 404', async () => {
    const file = await upload('mine', 'm.txt', 'text/plain');
    const forBob = server.services.signer.url(file.id, 'm.txt', bob.id, 60);
    expect((await download(server.url, forBob)).status).toBe(404);
    const nothing = crypto.randomUUID();
    expect((await download(server.url, server.services.signer.url(nothing, 'x', ada.id, 60))).status).toBe(404);
    expect((await download(server.url, '/files/not-a-uuid/x')).status).toBe(404);
  });

  test('files.get: the uploader gets a fresh URL; someone who cannot see the file gets NOT_FOUND', async () => {
    const file = await upload('mine', 'm.txt', 'text/plain');
    const again = await ada.api.files.get.query({ file_id: file.id });
    expect({ ...again, url: null }).toEqual({ ...file, url: null });
    expect((await download(server.url, again.url!)).status).toBe(200);
    await expectCode(bob.api.files.get.query({ file_id: file.id }), 'NOT_FOUND');
    await expectCode(ada.api.files.get.query({ file_id: crypto.randomUUID() }), 'NOT_FOUND');
    await expectCode(ada.api.files.get.query({ file_id: 'nope' }), 'BAD_REQUEST');
  });
});
