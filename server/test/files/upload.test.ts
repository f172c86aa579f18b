import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { createParleyClient } from '../../../client/index.ts';
import { files } from '../../db/schema/index.ts';
import { expectCode } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { download, form, HTML, png, SVG, uploader, type Uploader } from './support.ts';

// Real servers on a shared, busy machine: allow for slow starts and slow hashing.
setDefaultTimeout(60_000);
let server: TestServer;
let ada: Uploader;
beforeAll(async () => {
  server = await startTestServer({ MAX_UPLOAD_BYTES: String(64 * 1024), RATE_LIMIT_UPLOADS: 'off' });
  ada = await uploader(server.url, 'ada');
}, 180_000);
afterAll(() => server.stop());

describe('files.upload', () => {
  test('a stock @trpc/client uploads FormData; the File describes it and its url serves the bytes', async () => {
    const bytes = png(37, 21);
    const file = await ada.api.files.upload.mutate(form(bytes, 'engine.png', 'image/png'));
    expect(file).toMatchObject({
      filename: 'engine.png',
      content_type: 'image/png',
      size: bytes.length,
      width: 37,
      height: 21,
      uploader_id: ada.id,
    });
    expect(file.url).toStartWith(`/files/${file.id}/engine.png?`);
    expect(Date.parse(file.created_at)).toBeGreaterThan(0);
    const res = await download(server.url, file.url!);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  test('the typed client (createParleyClient) routes FormData over plain HTTP by itself, in both transports', async () => {
    for (const transport of ['split', 'websocket'] as const) {
      const parley = createParleyClient({ url: server.url, token: ada.token, transport });
      try {
        const file = await parley.files.upload.mutate(form('hello, world\n', 'notes.txt', 'text/plain'));
        expect(file).toMatchObject({ filename: 'notes.txt', content_type: 'text/plain', size: 13, width: null, height: null });
        expect((await parley.files.get.query({ file_id: file.id })).id).toBe(file.id);
      } finally {
        parley.close();
      }
    }
  });

  test('an empty file is BAD_REQUEST; so is a form without a `file` field', async () => {
    await expectCode(ada.api.files.upload.mutate(form(new Uint8Array(), 'empty.txt', 'text/plain')), 'BAD_REQUEST');
    const other = new FormData();
    other.append('document', new File(['x'], 'x.txt'));
    await expectCode(ada.api.files.upload.mutate(other), 'BAD_REQUEST');
    const text = new FormData();
    text.append('file', 'just a string');
    await expectCode(ada.api.files.upload.mutate(text), 'BAD_REQUEST');
  });

  test('an anonymous upload is UNAUTHORIZED and stores nothing', async () => {
    const before = await server.database.db.select().from(files);
    const anon = (await import('./support.ts')).uploadingClient(server.url, '');
    await expectCode(anon.files.upload.mutate(form('x', 'x.txt')), 'UNAUTHORIZED');
    expect(await server.database.db.select().from(files)).toEqual(before);
  });

  test('content type comes from the bytes: a PNG declared as HTML is image/png', async () => {
    const file = await ada.api.files.upload.mutate(form(png(2, 3), 'fake.html', 'text/html'));
    expect(file.content_type).toBe('image/png');
    expect([file.width, file.height]).toEqual([2, 3]);
  });

  test('a declared type the bytes contradict is not kept: HTML declared as a PNG is text', async () => {
    const file = await ada.api.files.upload.mutate(form(HTML, 'innocent.png', 'image/png'));
    expect(file.content_type).toBe('text/plain');
    expect(file.width).toBeNull();
  });

  test('a declared type the bytes do not contradict is kept: HTML stays text/html, SVG image/svg+xml', async () => {
    expect((await ada.api.files.upload.mutate(form(HTML, 'page.html', 'text/html'))).content_type).toBe('text/html');
    expect((await ada.api.files.upload.mutate(form(SVG, 'logo.svg', 'image/svg+xml'))).content_type).toBe('image/svg+xml');
    // No declared type: binary is octet-stream, text is text/plain.
    expect((await ada.api.files.upload.mutate(form(new Uint8Array([0, 1, 2, 3, 255]), 'blob'))).content_type).toBe(
      'application/octet-stream',
    );
    expect((await ada.api.files.upload.mutate(form('plain words', 'words'))).content_type).toBe('text/plain');
  });

  test('a filename cannot name a directory or carry control characters', async () => {
    const file = await ada.api.files.upload.mutate(form('x', '../../etc/pass\u0000wd', 'text/plain'));
    expect(file.filename).toBe('passwd');
  });
});

describe('upload size limit', () => {
  test('a file over MAX_UPLOAD_BYTES is PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const before = await server.database.db.select().from(files).where(eq(files.uploaderId, ada.id));
    const error = await expectCode(ada.api.files.upload.mutate(form(new Uint8Array(200 * 1024), 'big.bin')), 'PAYLOAD_TOO_LARGE');
    expect(error.httpStatus).toBe(413);
    expect(error.message).toBe('Files may be at most 64 KiB');
    // Just over the limit (within the multipart allowance): refused by the service, not the edge.
    await expectCode(ada.api.files.upload.mutate(form(new Uint8Array(64 * 1024 + 1), 'big.bin')), 'PAYLOAD_TOO_LARGE');
    expect(await server.database.db.select().from(files).where(eq(files.uploaderId, ada.id))).toEqual(before);
  });

  test('a chunked body (no Content-Length) is cut off at the limit: PAYLOAD_TOO_LARGE', async () => {
    const body = new Response(form(new Uint8Array(300 * 1024), 'big.bin'));
    const type = body.headers.get('content-type')!;
    const bytes = new Uint8Array(await body.arrayBuffer());
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= bytes.length) return c.close();
        c.enqueue(bytes.subarray(sent, sent + 16 * 1024));
        sent += 16 * 1024;
      },
    });
    const res = await fetch(`${server.url}/trpc/files.upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ada.token}`, 'content-type': type },
      body: stream,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { data: { code: string } } }).error.data.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('a huge Content-Length is refused before the body is read: the answer comes while the body is still owed', async () => {
    const { port } = new URL(server.url);
    const answer = Promise.withResolvers<string>();
    let received = '';
    const socket = await Bun.connect({
      hostname: '127.0.0.1',
      port: Number(port),
      socket: {
        data(_s, chunk) {
          received += chunk.toString();
          if (received.includes('\r\n\r\n')) answer.resolve(received);
        },
        close: () => answer.resolve(received),
        error: (_s, err) => answer.reject(err),
      },
    });
    // 10 GB announced, 100 bytes sent, and then nothing: a server that read the body would wait forever.
    socket.write(
      'POST /trpc/files.upload HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${ada.token}\r\nContent-Type: multipart/form-data; boundary=x\r\n` +
        'Content-Length: 10000000000\r\n\r\n' +
        '--x\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n' +
        'a'.repeat(20),
    );
    const head = await answer.promise;
    socket.end();
    expect(head).toStartWith('HTTP/1.1 413');
  });
});

describe('an upload limit above the 1 MiB request-body cap (the default is 25 MiB)', () => {
  const MIB = 1024 * 1024;
  let big: TestServer;
  let eve: Uploader;
  beforeAll(async () => {
    big = await startTestServer({ MAX_UPLOAD_BYTES: String(2 * MIB), RATE_LIMIT_UPLOADS: 'off' });
    eve = await uploader(big.url, 'eve');
  }, 180_000);
  afterAll(() => big?.stop());

  test('a file of exactly MAX_UPLOAD_BYTES is accepted: its multipart framing does not count against it', async () => {
    const file = await eve.api.files.upload.mutate(form(new Uint8Array(2 * MIB).fill(7), 'exact.bin'));
    expect(file.size).toBe(2 * MIB);
  });

  test('one byte over, or far over (refused before the body is read), is PAYLOAD_TOO_LARGE in the same words', async () => {
    for (const size of [2 * MIB + 1, 3 * MIB]) {
      const error = await expectCode(eve.api.files.upload.mutate(form(new Uint8Array(size), 'big.bin')), 'PAYLOAD_TOO_LARGE');
      expect([error.httpStatus, error.message]).toEqual([413, 'Files may be at most 2 MiB']);
    }
  });
});
