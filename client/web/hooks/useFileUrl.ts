import { createContext, useContext, useEffect, useState } from 'react';
import type { File as StoredFile } from '../../index.ts';
import type { FileUrls } from '../lib/fileUrls.ts';

/** The app's one FileUrls (Workspace provides it). */
export const FileUrlsContext = createContext<FileUrls | null>(null);

/**
 * A working URL for `file`: known at once when a page or a send carried one, else fetched
 * (`url` is null meanwhile). `keepFresh` swaps in a new URL before the old one expires (links,
 * which may be clicked hours later); `broken()` reports a URL that failed to load and gets one
 * new URL; `failed` is set when none can be had.
 */
export function useFileUrl(file: StoredFile, keepFresh = false) {
  const urls = useContext(FileUrlsContext)!;
  const [url, setUrl] = useState(() => urls.peek(file));
  const [failed, setFailed] = useState(false);
  const [retried, setRetried] = useState(false);

  useEffect(() => {
    if (url) {
      if (!keepFresh) return;
      const timer = setTimeout(() => setUrl(null), Math.max(0, urls.until(file.id) - Date.now()));
      return () => clearTimeout(timer);
    }
    let live = true;
    urls.fresh(file).then(
      (u) => live && setUrl(u),
      () => live && setFailed(true),
    );
    return () => void (live = false);
  }, [urls, file.id, url, keepFresh]);

  function broken() {
    if (!url) return;
    if (retried) return setFailed(true);
    setRetried(true);
    urls.drop(file.id, url);
    setUrl(null);
  }

  return { url, failed, broken };
}
