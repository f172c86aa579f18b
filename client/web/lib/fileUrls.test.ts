import { describe, expect, test } from 'bun:test';
import type { File as StoredFile } from '../../index.ts';
import { FileUrls, urlExpiry } from './fileUrls.ts';
import { humanSize } from './size.ts';

const HOUR = 3600_000;
const T0 = Date.UTC(2030, 0, 1);
const signed = (id: string, at: number) => `/files/${id}/a.png?u=me&exp=${Math.floor(at / 1000)}&sig=s${at}`;
const file = (id: string, url: string | null): StoredFile => ({
  id,
  filename: 'a.png',
  content_type: 'image/png',
  size: 1,
  width: 1,
  height: 1,
  url,
  uploader_id: 'u',
  created_at: new Date(T0).toISOString(),
});

/** A FileUrls over a files.get that signs for an hour from the server's clock, counting calls. */
function setup(serverSkewMs = 0) {
  let now = T0;
  const asked: string[] = [];
  const urls = new FileUrls(
    async (id) => {
      asked.push(id);
      return file(id, signed(id, now + serverSkewMs + HOUR));
    },
    () => now,
  );
  return { urls, asked, advance: (ms: number) => (now += ms) };
}

describe('FileUrls', () => {
  test('reads the expiry of a signed URL', () => {
    expect(urlExpiry(signed('f', T0))).toBe(Math.floor(T0 / 1000) * 1000);
    expect(urlExpiry('/files/f/a.png')).toBe(0);
  });

  test('a URL a page carried is used as is; an event’s null URL is fetched once for everyone asking', async () => {
    const { urls, asked } = setup();
    const fromPage = signed('a', T0 + HOUR);
    expect(urls.peek(file('a', fromPage))).toBe(fromPage);
    expect(await urls.fresh(file('a', null))).toBe(fromPage);
    expect(asked).toEqual([]);
    const [x, y] = await Promise.all([urls.fresh(file('b', null)), urls.fresh(file('b', null))]);
    expect(x).toBe(y);
    expect(asked).toEqual(['b']);
    expect(urls.peek(file('b', null))).toBe(x);
  });

  test('a URL about to expire is replaced by a new one', async () => {
    const { urls, asked, advance } = setup();
    const first = await urls.fresh(file('a', null));
    advance(HOUR - 30_000);
    expect(urls.peek(file('a', null))).toBeNull();
    const second = await urls.fresh(file('a', null));
    expect(second).not.toBe(first);
    expect(asked).toEqual(['a', 'a']);
  });

  test('a URL that failed to load is not handed out again, even when the message still carries it', async () => {
    const { urls, asked, advance } = setup();
    const carried = signed('a', T0 + HOUR);
    advance(5000);
    urls.drop('a', carried);
    expect(urls.peek(file('a', carried))).toBeNull();
    expect(await urls.fresh(file('a', carried))).not.toBe(carried);
    expect(asked).toEqual(['a']);
  });

  test('a device clock two hours ahead does not make the app fetch URLs in a loop', async () => {
    const { urls, asked, advance } = setup(-2 * HOUR);
    const url = await urls.fresh(file('a', null));
    advance(5 * 60_000);
    expect(await urls.fresh(file('a', null))).toBe(url);
    expect(asked).toEqual(['a']);
  });
});

describe('humanSize', () => {
  test('bytes, then KB, MB, GB with at most three significant digits', () => {
    expect([0, 999, 1024, 1536, 10 * 1024, 140_000, 1023.9 * 1024, 25 * 1024 * 1024, 3.21 * 1024 ** 3].map(humanSize)).toEqual([
      '0 B',
      '999 B',
      '1 KB',
      '1.5 KB',
      '10 KB',
      '137 KB',
      '1 MB',
      '25 MB',
      '3.2 GB',
    ]);
  });
});
