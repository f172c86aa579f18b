import type { File as StoredFile } from '../../index.ts';
import { useFileUrl } from '../hooks/useFileUrl.ts';
import { humanSize } from '../lib/size.ts';
import { FileBadge } from './FileBadge.tsx';

/** The largest inline preview; smaller images keep their own size. */
const MAX_WIDTH = 360;
const MAX_HEIGHT = 280;

/** Types a browser shows inline; anything else (SVG included: it is served as a download) is a file chip. */
const INLINE_IMAGE = /^image\/(png|jpeg|gif|webp|avif|bmp)$/;
const INLINE_VIDEO = /^video\/(mp4|webm|ogg)$/;
const INLINE_AUDIO = /^audio\//;

const isImage = (f: StoredFile) => INLINE_IMAGE.test(f.content_type) && !!f.width && !!f.height;
const isMedia = (f: StoredFile) => isImage(f) || INLINE_VIDEO.test(f.content_type) || INLINE_AUDIO.test(f.content_type);

/** A message's files: images, videos and sounds shown inline (in the order sent), then the others as download chips. */
export function Attachments({ files }: { files: StoredFile[] }) {
  if (!files.length) return null;
  const media = files.filter(isMedia);
  const others = files.filter((f) => !isMedia(f));
  return (
    <div className="attachments" data-testid="attachments">
      {media.length > 0 && (
        <div className="attachment-media-row">
          {media.map((f) =>
            isImage(f) ? (
              <ImagePreview key={f.id} file={f} />
            ) : (
              <MediaPreview key={f.id} file={f} kind={INLINE_VIDEO.test(f.content_type) ? 'video' : 'audio'} />
            ),
          )}
        </div>
      )}
      {others.map((f) => (
        <FileChip key={f.id} file={f} />
      ))}
    </div>
  );
}

/** The image at its own aspect ratio, its box sized before it loads so that nothing below it jumps; a click opens it full size. */
function ImagePreview({ file }: { file: StoredFile }) {
  const { url, failed, broken } = useFileUrl(file);
  if (failed) return <FileChip file={file} />;
  const scale = Math.min(1, MAX_WIDTH / file.width!, MAX_HEIGHT / file.height!);
  const width = Math.max(1, Math.round(file.width! * scale));
  const height = Math.max(1, Math.round(file.height! * scale));
  return (
    <a
      className="attachment-image"
      data-testid="attachment-image"
      data-name={file.filename}
      href={url ?? undefined}
      target="_blank"
      rel="noopener noreferrer"
      title={`${file.filename} (${humanSize(file.size)}): open full size`}
      style={{ width, aspectRatio: `${width} / ${height}` }}
    >
      {url && <img src={url} alt={file.filename} width={width} height={height} loading="lazy" onError={broken} />}
    </a>
  );
}

/** A video or audio file with the browser's own controls, and its name to download it. */
function MediaPreview({ file, kind }: { file: StoredFile; kind: 'video' | 'audio' }) {
  const { url, failed, broken } = useFileUrl(file);
  if (failed) return <FileChip file={file} />;
  const Tag = kind;
  return (
    <figure className={`attachment-media ${kind}`} data-testid={`attachment-${kind}`} data-name={file.filename}>
      {url ? <Tag src={url} controls preload="metadata" onError={broken} /> : <div className={`media-placeholder ${kind}`} />}
      <figcaption>
        <FileChip file={file} />
      </figcaption>
    </figure>
  );
}

/** A file to download: its kind, name and size. */
function FileChip({ file }: { file: StoredFile }) {
  const { url } = useFileUrl(file, true);
  const size = humanSize(file.size);
  return (
    <a
      className="file-chip"
      data-testid="attachment-file"
      data-name={file.filename}
      data-size={size}
      href={url ?? undefined}
      download={file.filename}
      aria-label={`Download ${file.filename}, ${size}`}
    >
      <FileBadge name={file.filename} />
      <span className="file-name">{file.filename}</span>
      <span className="file-size">{size}</span>
    </a>
  );
}
