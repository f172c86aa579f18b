import { createTRPCClient, httpBatchLink, httpLink, isNonJsonSerializable, splitLink, type TRPCClient } from '@trpc/client';
import { deflateSync } from 'node:zlib';
import type { AppRouter } from '../../../client/index.ts';
import { register } from '../helpers/clients.ts';

/**
 * Fixtures for the file suites: a stock @trpc/client set up as the contract says (FormData over
 * `httpLink` behind `splitLink` on `isNonJsonSerializable`), sample files, and download helpers.
 */

/** A stock tRPC client that sends FormData with httpLink and everything else batched. */
export function uploadingClient(baseUrl: string, token: string): TRPCClient<AppRouter> {
  const headers = { authorization: `Bearer ${token}` };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => isNonJsonSerializable(op.input),
        true: httpLink({ url: `${baseUrl}/trpc`, headers }),
        false: httpBatchLink({ url: `${baseUrl}/trpc`, headers }),
      }),
    ],
  });
}

export interface Uploader {
  id: string;
  username: string;
  token: string;
  api: TRPCClient<AppRouter>;
}

/** A fresh user with an uploading client. */
export async function uploader(baseUrl: string, prefix = 'files'): Promise<Uploader> {
  const account = await register(baseUrl, prefix);
  return { id: account.id, username: account.username, token: account.token, api: uploadingClient(baseUrl, account.token) };
}

/** A form with one `file` field, as a browser sends it. */
export function form(bytes: Uint8Array<ArrayBuffer> | string, name: string, type = ''): FormData {
  const data = new FormData();
  data.append('file', new File([bytes], name, { type }));
  return data;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Uint8Array) => {
  let c = 0xffffffff;
  for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A valid grey PNG of the given size (padded with a private chunk to `minBytes` if asked). */
export function png(width: number, height: number, minBytes = 0): Uint8Array<ArrayBuffer> {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const raw = new Uint8Array((width + 1) * height).fill(0x80);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0;
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw))];
  const size = parts.reduce((n, p) => n + p.length, 0) + 12;
  if (minBytes > size)
    parts.push(
      chunk(
        'prVt',
        new Uint8Array(minBytes - size - 12).map((_, i) => i & 0xff),
      ),
    );
  parts.push(chunk('IEND', new Uint8Array()));
  return new Uint8Array(Buffer.concat(parts));
}

export const HTML = '<!doctype html><html><body><script>parent.pwned = true</script><h1>hi</h1></body></html>';
export const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';

/** Downloads a File's url from the server (relative URLs resolved against it), never following redirects. */
export const download = (baseUrl: string, url: string, init: RequestInit = {}) =>
  fetch(new URL(url, baseUrl), { redirect: 'manual', ...init });

/** The same URL with one query parameter replaced. */
export function withParam(url: string, name: string, value: string): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set(name, value);
  return u.pathname + u.search;
}
