import { fileTypeFromBuffer, supportedMimeTypes } from 'file-type';
import { imageSize } from 'image-size';
import { LIMITS } from '../../../shared/limits.ts';

/** Bytes file-type needs to recognise any format it knows. */
export const SNIFF_BYTES = 4100;

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** Does this look like text (valid UTF-8 without NULs), judged from its first bytes? */
function looksLikeText(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  try {
    // A multi-byte character cut at the end of the sample is not evidence of binary data.
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, head.length - 3)));
    return true;
  } catch {
    return false;
  }
}

/**
 * The content type of an upload, from its bytes. What file-type recognises wins; a declared type
 * is kept only when the bytes do not contradict it: file-type knows its magic bytes and did not
 * find them (a "PNG" that is not one) is a contradiction, and so is a text type on binary bytes.
 * XML flavours (SVG) are recognised as XML and keep their declared `+xml` type.
 */
export async function sniffContentType(head: Uint8Array, declared: string | undefined): Promise<string> {
  const claim = declared?.split(';')[0]!.trim().toLowerCase();
  const valid = claim && MIME.test(claim) ? claim : undefined;
  const found = await fileTypeFromBuffer(head).catch(() => undefined);
  const text = looksLikeText(head);
  if (found) {
    if (found.mime === 'application/xml' && valid && (valid.endsWith('+xml') || valid === 'text/xml')) return valid;
    return found.mime;
  }
  if (valid && !supportedMimeTypes.has(valid)) {
    const textual = valid.startsWith('text/') || valid.endsWith('+xml') || valid.endsWith('+json') || valid === 'application/json';
    if (!textual || text) return valid;
  }
  return text ? 'text/plain' : 'application/octet-stream';
}

/** Width and height of an image, read from its header; null for anything else or a damaged header. */
export function imageDimensions(contentType: string, bytes: Uint8Array): { width: number; height: number } | null {
  if (!contentType.startsWith('image/')) return null;
  try {
    const { width, height } = imageSize(bytes);
    return width && height ? { width, height } : null;
  } catch {
    return null;
  }
}

/** A filename safe to store and echo: no directories, no control characters, at most 255 characters. */
export function safeFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const short = [...clean].slice(0, LIMITS.filenameMax).join('');
  return short && short !== '.' && short !== '..' ? short : 'file';
}

/** Types a browser shows without running anything: everything else is downloaded, never rendered. */
export function isInline(contentType: string): boolean {
  if (contentType === 'image/svg+xml') return false;
  return /^(image|audio|video)\//.test(contentType) || contentType === 'application/pdf' || contentType === 'text/plain';
}

/** `Content-Disposition` for a file: inline only for the harmless types, with the name in both forms. */
export function contentDisposition(contentType: string, filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${isInline(contentType) ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** The content type as served: text gets an explicit charset so a browser never guesses one. */
export function servedContentType(contentType: string): string {
  return contentType.startsWith('text/') ? `${contentType}; charset=utf-8` : contentType;
}
