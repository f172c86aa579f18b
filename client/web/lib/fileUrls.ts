import type { File as StoredFile } from '../../index.ts';

/** A URL this close to its expiry is not handed out: an image or a download may start a little later. */
const MARGIN_MS = 60_000;
/**
 * A URL just handed out by the server is used for at least this long whatever its `exp` says
 * by this device's clock: a clock that runs ahead must not make every URL look expired (and
 * send the app fetching new ones in a loop).
 */
const TRUST_FETCHED_MS = 10 * 60_000;

/** When a signed `/files/…?exp=<unix seconds>&…` URL stops working (0 when it does not say). */
export function urlExpiry(url: string): number {
  const exp = Number(new URL(url, 'http://x').searchParams.get('exp'));
  return Number.isFinite(exp) ? exp * 1000 : 0;
}

interface Known {
  url: string;
  /** Local time until which it is handed out. */
  until: number;
}

/**
 * Download URLs of files, per file id. URLs are signed for one viewer and expire (an hour), and
 * live events carry none, so a view asks here: a fresh URL it has seen (from a history page or a
 * send) or a new one from `files.get`, fetched once however many views ask at the same time.
 */
export class FileUrls {
  private known = new Map<string, Known>();
  private fetching = new Map<string, Promise<string>>();
  private refused = new Set<string>();

  constructor(
    private readonly get: (fileId: string) => Promise<StoredFile>,
    private readonly now = () => Date.now(),
  ) {}

  /** A URL good for at least another minute, without asking the server; null if none is known. */
  peek(file: StoredFile): string | null {
    if (file.url) this.remember(file.id, file.url, urlExpiry(file.url) - MARGIN_MS);
    const known = this.known.get(file.id);
    return known && known.until > this.now() ? known.url : null;
  }

  /** Until when (local time) `peek` hands out this file's current URL. */
  until(fileId: string): number {
    return this.known.get(fileId)?.until ?? 0;
  }

  /** A usable URL: a known fresh one, or a new one from the server. */
  fresh(file: StoredFile): Promise<string> {
    const url = this.peek(file);
    if (url) return Promise.resolve(url);
    let pending = this.fetching.get(file.id);
    if (!pending) {
      pending = this.get(file.id)
        .then((f) => {
          const url = f.url!;
          this.remember(f.id, url, Math.max(urlExpiry(url) - MARGIN_MS, this.now() + TRUST_FETCHED_MS));
          return url;
        })
        .finally(() => this.fetching.delete(file.id));
      this.fetching.set(file.id, pending);
    }
    return pending;
  }

  /** Forgets a URL that did not work (expired, or access changed), so the next ask fetches a new one. */
  drop(fileId: string, url: string) {
    this.refused.add(url);
    if (this.known.get(fileId)?.url === url) this.known.delete(fileId);
  }

  private remember(fileId: string, url: string, until: number) {
    if (this.refused.has(url)) return;
    const known = this.known.get(fileId);
    if (!known || until > known.until) this.known.set(fileId, { url, until });
  }
}
