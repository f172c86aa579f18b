import { describe, expect, test } from 'bun:test';
import { LIMITS, TRPCClientError, type File as StoredFile, type UploadOptions } from '../../index.ts';
import { UploadTray } from './uploads.ts';

const stored = (name: string, size: number): StoredFile => ({
  id: crypto.randomUUID(),
  filename: name,
  content_type: 'text/plain',
  size,
  width: null,
  height: null,
  url: `/files/x/${name}?exp=1`,
  uploader_id: 'me',
  created_at: new Date().toISOString(),
});

/** An upload whose progress and outcome the test drives, call by call. */
function controlled() {
  const calls: Array<{ file: File; opts: UploadOptions } & PromiseWithResolvers<StoredFile>> = [];
  const upload = (file: Blob, opts: UploadOptions) => {
    const call = { file: file as File, opts, ...Promise.withResolvers<StoredFile>() };
    calls.push(call);
    return call.promise;
  };
  return { calls, upload };
}

/** Waits until the tray has handled this call's outcome: its handler was attached to the promise first, so it runs first. */
const handled = (call: { promise: Promise<unknown> }) =>
  call.promise.then(
    () => {},
    () => {},
  );
const tooLarge = () =>
  new TRPCClientError('Files may be at most 256 KiB', {
    result: { error: { code: -32022, message: 'Files may be at most 256 KiB', data: { code: 'PAYLOAD_TOO_LARGE' } } } as never,
  });

describe('UploadTray', () => {
  test('uploads at once, reports progress, and hands the files over only when all are uploaded', async () => {
    const { calls, upload } = controlled();
    const tray = new UploadTray(upload);
    tray.add('c:1', [new File(['hello'], 'a.txt'), new File(['hello world'], 'b.txt')]);
    expect(calls.map((c) => c.file.name)).toEqual(['a.txt', 'b.txt']);
    expect(tray.getItems().map((i) => [i.name, i.size, i.status])).toEqual([
      ['a.txt', 5, 'uploading'],
      ['b.txt', 11, 'uploading'],
    ]);
    calls[0]!.opts.onProgress!({ loaded: 3, total: 5 });
    expect(tray.getItems()[0]!.loaded).toBe(3);
    const a = stored('a.txt', 5);
    calls[0]!.resolve(a);
    await handled(calls[0]!);
    expect(tray.take('c:1')).toBeNull(); // b.txt is still on its way
    expect(tray.getItems()).toHaveLength(2);
    const b = stored('b.txt', 11);
    calls[1]!.resolve(b);
    await handled(calls[1]!);
    expect(tray.take('c:1')).toEqual([a, b]);
    expect(tray.getItems()).toEqual([]);
    // Nothing picked: an empty list, so a message without files can go.
    expect(tray.take('c:1')).toEqual([]);
  });

  test('a failed upload keeps its reason, blocks the message, and can be retried or removed', async () => {
    const { calls, upload } = controlled();
    const tray = new UploadTray(upload);
    tray.add('c:1', [new File(['x'.repeat(10)], 'big.bin')]);
    calls[0]!.reject(tooLarge());
    await handled(calls[0]!);
    expect(tray.getItems()[0]).toMatchObject({ status: 'failed', error: 'Files may be at most 256 KiB', retryable: false });
    expect(tray.take('c:1')).toBeNull();
    tray.retry(tray.getItems()[0]!.id);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.file.name).toBe('big.bin');
    calls[1]!.reject(new TRPCClientError('Failed to fetch', { cause: new TypeError('Failed to fetch') }));
    await handled(calls[1]!);
    expect(tray.getItems()[0]).toMatchObject({ error: 'The server could not be reached.', retryable: true });
    tray.remove(tray.getItems()[0]!.id);
    expect(tray.take('c:1')).toEqual([]);
  });

  test('removing an upload in flight aborts it and forgets it', async () => {
    const { calls, upload } = controlled();
    const tray = new UploadTray(upload);
    tray.add('c:1', [new File(['x'], 'x.txt')]);
    const signal = calls[0]!.opts.signal!;
    tray.remove(tray.getItems()[0]!.id);
    expect(signal.aborted).toBe(true);
    calls[0]!.reject(signal.reason);
    await handled(calls[0]!);
    expect(tray.getItems()).toEqual([]);
  });

  test(`at most ${LIMITS.attachmentsMax} files per message, per conversation`, () => {
    const { calls, upload } = controlled();
    const tray = new UploadTray(upload);
    const files = (n: number) => Array.from({ length: n }, (_, i) => new File(['x'], `f${i}.txt`));
    expect(tray.add('c:1', files(7))).toBeNull();
    expect(tray.add('c:1', files(5))).toBe(`A message can carry at most ${LIMITS.attachmentsMax} files.`);
    expect(tray.getItems().filter((i) => i.convKey === 'c:1')).toHaveLength(LIMITS.attachmentsMax);
    expect(tray.add('d:2', files(2))).toBeNull();
    expect(calls).toHaveLength(LIMITS.attachmentsMax + 2);
    tray.dispose();
  });

  test('restored files (a failed message taken back into the composer) are ready to send again', () => {
    const tray = new UploadTray(controlled().upload);
    const back = [stored('a.txt', 1), stored('b.txt', 2)];
    tray.restore('c:1', back);
    expect(tray.getItems().map((i) => [i.name, i.status])).toEqual([
      ['a.txt', 'done'],
      ['b.txt', 'done'],
    ]);
    expect(tray.take('c:1')).toEqual(back);
  });
});
