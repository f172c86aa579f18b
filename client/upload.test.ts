import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { Closer, httpClient, startTestServer, type Registered, type TestServer, users } from '../server/test/helpers/fixtures.ts';
import { png } from '../server/test/files/support.ts';
import { createParleyClient, TRPCClientError, type Session } from './index.ts';

// A real server on a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

/**
 * `uploadFile` where there is no XMLHttpRequest (Bun, Node): the plain tRPC call. Its
 * XMLHttpRequest path (progress, the retry after UNAUTHORIZED) runs in Chromium, in
 * client/web/e2e/attachments.browser.ts.
 */

let server: TestServer;
let ada: Registered;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer({ MAX_UPLOAD_BYTES: String(64 * 1024), RATE_LIMIT_UPLOADS: 'off' });
  [ada] = (await users(server.url, 'ada')) as [Registered];
}, 60_000);
afterEach(() => closer.closeAll(), 30_000);
afterAll(() => server?.stop(), 30_000);

/** A JWT-shaped token the server refuses, whose `exp` claim says it is still good (so only the server's answer reveals it). */
const forged = () => `e30.${btoa(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 600 }))}.c2ln`;

describe('uploadFile without XMLHttpRequest', () => {
  test('uploads a file with its name and returns the stored File; onProgress is not called', async () => {
    expect(typeof XMLHttpRequest).toBe('undefined');
    const c = closer.add(createParleyClient({ url: server.url, token: ada.token }));
    const progress: unknown[] = [];
    const bytes = png(12, 7);
    const file = await c.uploadFile(new File([bytes], 'dot.png', { type: 'image/png' }), { onProgress: (p) => progress.push(p) });
    expect(file).toMatchObject({
      filename: 'dot.png',
      content_type: 'image/png',
      size: bytes.length,
      width: 12,
      height: 7,
      uploader_id: ada.id,
    });
    expect(progress).toEqual([]);
    expect((await c.files.get.query({ file_id: file.id })).size).toBe(bytes.length);
  });

  test('the server’s refusal arrives as a TRPCClientError with its code', async () => {
    const c = closer.add(createParleyClient({ url: server.url, token: ada.token }));
    const err = await c.uploadFile(new File([new Uint8Array(100 * 1024)], 'big.bin')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<any>).data?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('an aborted signal rejects the upload', async () => {
    const c = closer.add(createParleyClient({ url: server.url, token: ada.token }));
    const abort = new AbortController();
    abort.abort();
    const err = await c.uploadFile(new File(['x'], 'x.txt'), { signal: abort.signal }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/abort/i);
  });

  test('a token the server refuses is refreshed once and the upload goes through', async () => {
    const fresh: Session = await httpClient(server.url).auth.login.mutate({ username: ada.username, password: 'correct horse battery' });
    const rotated: Session[] = [];
    const c = closer.add(
      createParleyClient({ url: server.url, session: { ...fresh, access_token: forged() }, onSession: (s) => rotated.push(s) }),
    );
    const file = await c.uploadFile(new File(['after a refresh'], 'r.txt', { type: 'text/plain' }));
    expect(file).toMatchObject({ filename: 'r.txt', size: 15, uploader_id: ada.id });
    expect(rotated).toHaveLength(1);
  });
});
