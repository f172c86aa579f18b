import type * as wire from '../../../shared/entities.ts';
import type { files } from '../../db/schema/index.ts';
import type { UrlSigner } from './signing.ts';

export type FileRow = typeof files.$inferSelect;
/** What a file shows on the wire, whether read as a row or as JSON inside a page query. */
export type ShownFile = Pick<FileRow, 'id' | 'filename' | 'contentType' | 'size' | 'width' | 'height' | 'uploaderId' | 'createdAt'>;

/** How long a download URL handed to a caller stays valid. */
export const URL_TTL_SECONDS = 60 * 60;

/**
 * A file row on the wire. With a viewer, `url` is signed for that viewer; without one (events,
 * serialized once for every subscriber) it is null and `files.get` hands out a fresh one.
 */
export function presentFile(row: ShownFile, signer: UrlSigner, viewerId: string | null): wire.File {
  return {
    id: row.id,
    filename: row.filename,
    content_type: row.contentType,
    size: row.size,
    width: row.width,
    height: row.height,
    url: viewerId ? signer.url(row.id, row.filename, viewerId, URL_TTL_SECONDS) : null,
    uploader_id: row.uploaderId,
    created_at: row.createdAt.toISOString(),
  };
}
