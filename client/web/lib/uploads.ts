import { LIMITS, type File as StoredFile, type UploadOptions } from '../../index.ts';
import { errorText, isNetworkError, isRetryable } from './errors.ts';

/** A file picked for the next message of a conversation, uploading or uploaded. */
export interface PendingUpload {
  /** Local id (the file has no server id until it is uploaded). */
  id: string;
  convKey: string;
  name: string;
  size: number;
  type: string;
  status: 'uploading' | 'done' | 'failed';
  /** Bytes sent so far. */
  loaded: number;
  error: string | null;
  /** Whether trying again may help (a lost connection, a rate limit), unlike a file that is too large. */
  retryable: boolean;
  /** The stored file, once uploaded. */
  file: StoredFile | null;
  /** A local URL of an image's bytes for a thumbnail (revoked when the item leaves). */
  preview: string | null;
}

const PREVIEWABLE = /^image\/(png|jpeg|gif|webp|avif|bmp)$/;

type Upload = (file: Blob, opts: UploadOptions) => Promise<StoredFile>;

/**
 * The files waiting to go with the next message, per conversation. Uploads start the moment a
 * file is picked (so Send is quick) and go on while the user switches conversations; a message
 * takes the files only when every one of them is uploaded. A failed upload stays, with the
 * server's reason, until it is retried or removed.
 */
export class UploadTray {
  private items: PendingUpload[] = [];
  private blobs = new Map<string, Blob>();
  private aborts = new Map<string, AbortController>();
  private listeners = new Set<() => void>();

  constructor(private readonly upload: Upload) {}

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };

  getItems = () => this.items;

  /** Adds files to a conversation's next message; returns a note when some did not fit (LIMITS.attachmentsMax). */
  add(convKey: string, files: File[]): string | null {
    const room = LIMITS.attachmentsMax - this.items.filter((i) => i.convKey === convKey).length;
    const taken = files.slice(0, Math.max(0, room));
    for (const file of taken) {
      const item: PendingUpload = {
        id: crypto.randomUUID(),
        convKey,
        name: file.name,
        size: file.size,
        type: file.type,
        status: 'uploading',
        loaded: 0,
        error: null,
        retryable: false,
        file: null,
        preview: PREVIEWABLE.test(file.type) ? URL.createObjectURL(file) : null,
      };
      this.blobs.set(item.id, file);
      this.items = [...this.items, item];
      this.start(item.id);
    }
    this.emit();
    return taken.length < files.length ? `A message can carry at most ${LIMITS.attachmentsMax} files.` : null;
  }

  /** Uploads a failed file again. */
  retry(id: string) {
    if (this.items.find((i) => i.id === id)?.status !== 'failed') return;
    this.start(id);
  }

  /** Drops a file from the next message (an upload in flight is cancelled). */
  remove(id: string) {
    this.aborts.get(id)?.abort();
    this.forget(this.items.find((i) => i.id === id));
    this.items = this.items.filter((i) => i.id !== id);
    this.emit();
  }

  /**
   * The uploaded files of a conversation's next message, taken out of the tray; null (and the
   * tray untouched) while any of them is still uploading or has failed.
   */
  take(convKey: string): StoredFile[] | null {
    const mine = this.items.filter((i) => i.convKey === convKey);
    if (mine.some((i) => i.status !== 'done')) return null;
    for (const i of mine) this.forget(i);
    this.items = this.items.filter((i) => i.convKey !== convKey);
    this.emit();
    return mine.map((i) => i.file!);
  }

  /** Puts uploaded files back (a failed message the user wants to edit). */
  restore(convKey: string, files: StoredFile[]) {
    const back = files.map((file): PendingUpload => ({
      id: crypto.randomUUID(),
      convKey,
      name: file.filename,
      size: file.size,
      type: file.content_type,
      status: 'done',
      loaded: file.size,
      error: null,
      retryable: false,
      file,
      preview: PREVIEWABLE.test(file.content_type) ? file.url : null,
    }));
    this.items = [...this.items, ...back];
    this.emit();
  }

  dispose() {
    for (const a of this.aborts.values()) a.abort();
    for (const i of this.items) this.forget(i);
    this.listeners.clear();
  }

  private start(id: string) {
    const blob = this.blobs.get(id)!;
    const abort = new AbortController();
    this.aborts.set(id, abort);
    this.update(id, { status: 'uploading', loaded: 0, error: null });
    this.upload(blob, {
      signal: abort.signal,
      onProgress: ({ loaded }) => this.update(id, { loaded }),
    }).then(
      (file) => {
        this.aborts.delete(id);
        this.blobs.delete(id);
        this.update(id, { status: 'done', loaded: blob.size, file });
      },
      (err: unknown) => {
        this.aborts.delete(id);
        if (abort.signal.aborted) return;
        // errorText promises automatic retries for a lost connection; an upload waits for its Retry button.
        const error = isNetworkError(err) ? 'The server could not be reached.' : errorText(err);
        this.update(id, { status: 'failed', error, retryable: isRetryable(err) });
      },
    );
  }

  private forget(item: PendingUpload | undefined) {
    if (!item) return;
    this.aborts.delete(item.id);
    this.blobs.delete(item.id);
    if (item.preview?.startsWith('blob:')) URL.revokeObjectURL(item.preview);
  }

  private update(id: string, patch: Partial<PendingUpload>) {
    if (!this.items.some((i) => i.id === id)) return;
    this.items = this.items.map((i) => (i.id === id ? { ...i, ...patch } : i));
    this.emit();
  }

  private emit() {
    for (const l of this.listeners) l();
  }
}
