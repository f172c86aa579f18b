import { TRPCError } from '@trpc/server';
import type { Logger } from '../log.ts';
import type { Services } from '../services/index.ts';
import { uploadTooLargeMessage } from '../services/files/service.ts';
import { contentDisposition, servedContentType } from '../services/files/sniff.ts';
import type { ByteRange } from '../storage/index.ts';

/** Room for the multipart framing around the file (boundaries, part headers, the file name). */
const MULTIPART_OVERHEAD = 64 * 1024;
/** How long a presigned S3 redirect stays valid: only long enough to follow it. */
const REDIRECT_TTL_SECONDS = 60;

/** Is this the upload procedure (the one request allowed a body larger than 1 MiB)? */
export const isUploadRequest = (path: string) => path === '/trpc/files.upload';

/** The largest upload request body: a file of MAX_UPLOAD_BYTES plus its multipart framing. */
export const uploadBodyLimit = (maxUploadBytes: number) => maxUploadBytes + MULTIPART_OVERHEAD;

/**
 * Caps an upload's body before tRPC reads it into memory: a declared Content-Length over the
 * limit is refused without reading a byte, and a body without one (chunked) is counted as it
 * streams and cut off at the limit. Either way tRPC answers PAYLOAD_TOO_LARGE, as for any
 * procedure error. (tRPC's own Node adapter signals a too-large body the same way.)
 */
export function capUploadBody(req: Request, maxUploadBytes: number): Request {
  if (!req.body) return req;
  const limit = uploadBodyLimit(maxUploadBytes);
  const tooLarge = () => new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: uploadTooLargeMessage(maxUploadBytes) });
  const declared = Number(req.headers.get('content-length'));
  let body: ReadableStream<Uint8Array>;
  if (declared > limit) {
    body = new ReadableStream({ start: (controller) => controller.error(tooLarge()) });
  } else {
    let seen = 0;
    body = req.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > limit) controller.error(tooLarge());
          else controller.enqueue(chunk);
        },
      }),
    );
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal, duplex: 'half' } as RequestInit);
}

/** One `bytes=` range of a `size`-byte file: a range, 'unsatisfiable', or null (absent, malformed or several: send it all). */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  return end < start ? null : { start, end };
}

const text = (status: number, body: string) =>
  new Response(body, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' },
  });

/**
 * `GET /files/<id>/<filename>?u=&exp=&sig=`: a signed, expiring link issued to one user. The
 * signature proves who it was issued to; the file is served only while that user may still see
 * it (so a removed member or a deleted message loses access at once). Served so that a browser
 * never runs it in Parley's origin: `nosniff`, `CSP: sandbox`, and a download (not a page) for
 * anything but images, audio, video, PDF and plain text. With S3, a presigned redirect.
 */
export function createFileDownloads(deps: { services: Services; log: Logger }) {
  const { services, log } = deps;
  const { files, signer } = services;
  const storage = files.storage;

  return async function download(req: Request, url: URL): Promise<Response> {
    const m = /^\/files\/([0-9a-f-]{36})\/[^/]*$/i.exec(url.pathname);
    if (!m) return text(404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    const fileId = m[1]!.toLowerCase();
    const claims = signer.verify(fileId, url.searchParams);
    if (!claims) return text(403, 'This link is invalid or has expired');
    const row = await files.visible(fileId, claims.userId);
    if (!row) return text(404, 'not found');

    const type = servedContentType(row.contentType);
    const disposition = contentDisposition(row.contentType, row.filename);
    const presigned = storage.presign(row.storageKey, {
      expiresInSeconds: REDIRECT_TTL_SECONDS,
      contentType: type,
      contentDisposition: disposition,
    });
    if (presigned)
      return new Response(null, {
        status: 302,
        headers: { location: presigned, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
      });

    const etag = `"${row.sha256}"`;
    const headers: Record<string, string> = {
      'content-type': type,
      'content-disposition': disposition,
      etag,
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      // Revalidated on every use: access is re-checked, and the ETag makes that cheap.
      'cache-control': 'private, no-cache',
      'referrer-policy': 'no-referrer',
    };
    if (
      req.headers
        .get('if-none-match')
        ?.split(',')
        .some((t) => t.trim() === etag)
    )
      return new Response(null, { status: 304, headers });

    const ifRange = req.headers.get('if-range');
    const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.get('range'), row.size);
    if (range === 'unsatisfiable')
      return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${row.size}` } });
    const body = await storage.get(row.storageKey, range ?? undefined);
    if (!body) {
      log.warn('file bytes missing', { file_id: row.id });
      return text(404, 'not found');
    }
    const length = range ? range.end - range.start + 1 : row.size;
    headers['content-length'] = String(length);
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${row.size}`;
    return new Response(req.method === 'HEAD' ? null : body, { status: range ? 206 : 200, headers });
  };
}
