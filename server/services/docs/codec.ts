import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { DOC_LIMITS } from '../../../shared/docs.ts';
import { DomainError, badRequest } from '../../errors.ts';

/** y-websocket message types (the protocol of y-websocket's server and provider). */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

export const tooLarge = (message: string) => new DomainError('PAYLOAD_TOO_LARGE', message);

/** Decodes base64 input (already shape-checked by the zod schema). */
export const fromBase64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
export const toBase64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');

/**
 * Checks a Yjs update without touching any document: size first, then a full decode and an
 * apply to an empty scratch document, both of which throw on malformed bytes. Returns whether
 * the update carries anything at all (y-websocket clients send empty ones on every connect).
 */
export function checkUpdate(update: Uint8Array): boolean {
  if (update.byteLength > DOC_LIMITS.updateMaxBytes) throw tooLarge(`A document update may be at most ${DOC_LIMITS.updateMaxBytes} bytes`);
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  const scratch = new Y.Doc();
  try {
    decoded = Y.decodeUpdate(update);
    Y.applyUpdate(scratch, update);
  } catch {
    throw badRequest('Malformed Yjs update');
  } finally {
    scratch.destroy();
  }
  return decoded.structs.length > 0 || decoded.ds.clients.size > 0;
}

/** Checks an awareness update completely before anything applies it (applying is not atomic). */
export function checkAwareness(update: Uint8Array): void {
  if (update.byteLength > DOC_LIMITS.awarenessMaxBytes)
    throw tooLarge(`An awareness update may be at most ${DOC_LIMITS.awarenessMaxBytes} bytes`);
  try {
    const decoder = decoding.createDecoder(update);
    const n = decoding.readVarUint(decoder);
    for (let i = 0; i < n; i++) {
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
      JSON.parse(decoding.readVarString(decoder));
    }
    if (decoding.hasContent(decoder)) throw new Error('trailing bytes');
  } catch {
    throw badRequest('Malformed awareness update');
  }
}

/** A y-websocket frame: message type, then (for sync) its subtype, then the payload. */
export function syncFrame(subtype: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, subtype);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

export function awarenessFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** The protocol's only error message: "permission denied" with a reason; providers log it and stay connected. */
export function errorFrame(reason: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AUTH);
  encoding.writeVarUint(e, 0);
  encoding.writeVarString(e, reason);
  return encoding.toUint8Array(e);
}

/**
 * One relayed update or awareness change, serialized lazily and once for every session that
 * wants it: tRPC sessions take the JSON event, y-websocket sessions the binary frame.
 */
export class Relay {
  private jsonCache: string | null = null;
  private frameCache: Uint8Array | null = null;

  constructor(
    readonly kind: 'update' | 'awareness',
    readonly bytes: Uint8Array,
    readonly userId: string | null,
  ) {}

  get json(): string {
    if (this.jsonCache === null) {
      const update = toBase64(this.bytes);
      this.jsonCache = JSON.stringify(
        this.kind === 'update' ? { type: 'doc_update', update, user_id: this.userId } : { type: 'awareness', update },
      );
    }
    return this.jsonCache;
  }

  get frame(): Uint8Array {
    this.frameCache ??= this.kind === 'update' ? syncFrame(2, this.bytes) : awarenessFrame(this.bytes);
    return this.frameCache;
  }
}
