import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ParleyClient, User } from '../../index.ts';
import type { DocSync, DocSyncState } from '../lib/docs/sync.ts';

/** The lazily loaded editor module (Yjs, CodeMirror and the binding). */
export type DocsModule = typeof import('../lib/docs/index.ts');

const idle = () => () => {};
const none = () => null;

/**
 * Loads the editor code on first use and keeps one synced document open while mounted (a new
 * one for each `attempt`). `failed` says the code itself could not be loaded (offline at first open).
 */
export function useDocSync(api: ParleyClient, documentId: string, me: User, attempt: number) {
  const [open, setOpen] = useState<{ mod: DocsModule; sync: DocSync } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    let sync: DocSync | null = null;
    setFailed(false);
    import('../lib/docs/index.ts').then(
      (mod) => {
        if (cancelled) return;
        sync = new mod.DocSync(api, documentId, mod.docUser(me));
        setOpen({ mod, sync });
      },
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
      sync?.destroy();
      setOpen(null);
    };
  }, [api, documentId, me.id, attempt]);
  const state: DocSyncState | null = useSyncExternalStore(open?.sync.subscribe ?? idle, open?.sync.getSnapshot ?? none);
  return { ...open, state, failed };
}
