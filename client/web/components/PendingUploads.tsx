import type { PendingUpload } from '../lib/uploads.ts';
import { humanSize } from '../lib/size.ts';
import { FileBadge } from './FileBadge.tsx';

interface Props {
  items: PendingUpload[];
  onRemove(id: string): void;
  onRetry(id: string): void;
}

/** The files picked for the next message: name, size, upload progress or the reason it failed, and × to drop one. */
export function PendingUploads({ items, onRemove, onRetry }: Props) {
  if (!items.length) return null;
  return (
    <ul className="uploads" data-testid="pending-uploads" aria-label="Files to send">
      {items.map((u) => (
        <li key={u.id} className={`upload ${u.status}`} data-testid="upload-chip" data-name={u.name} data-status={u.status}>
          {u.preview ? <img className="upload-thumb" src={u.preview} alt="" /> : <FileBadge name={u.name} />}
          <span className="upload-body">
            <span className="file-name" title={u.name}>
              {u.name}
            </span>
            <span className="file-size">
              {u.status === 'uploading' ? `${humanSize(u.loaded)} of ${humanSize(u.size)}` : humanSize(u.size)}
            </span>
            {u.status === 'uploading' && (
              <progress data-testid="upload-progress" max={u.size} value={u.loaded} aria-label={`Uploading ${u.name}`} />
            )}
            {u.status === 'failed' && (
              <span className="error" role="alert" data-testid="upload-error">
                {u.error}
              </span>
            )}
          </span>
          {u.status === 'failed' && u.retryable && (
            <button type="button" className="link" data-testid="upload-retry" onClick={() => onRetry(u.id)}>
              Retry
            </button>
          )}
          <button
            type="button"
            className="upload-remove"
            data-testid="upload-remove"
            aria-label={`Remove ${u.name}`}
            onClick={() => onRemove(u.id)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
