import { useEffect, useState } from 'react';
import { TRPCClientError } from '../../../index.ts';
import { useDocSync } from '../../hooks/useDocSync.ts';
import { useLoad } from '../../hooks/useLoad.ts';
import type { SpaceProps } from '../space-props.ts';
import { DocEditorHost } from './DocEditorHost.tsx';
import { DocHeader } from './DocHeader.tsx';
import { DocPeers } from './DocPeers.tsx';

const codeOf = (err: unknown) => (err instanceof TRPCClientError ? (err.data as { code?: string } | undefined)?.code : undefined);

/**
 * The open document: a Markdown editor shared live with the group (everyone's cursors, who is
 * here, whether our edits are saved), its title with rename and delete. Deleted by someone
 * else, it closes; removed from the group, the session ends and says so.
 */
export function DocView({ api, me, group, id, onGone, onChanged }: SpaceProps) {
  const meta = useLoad(() => api.docs.get.query({ document_id: id }), [api, id]);
  const [title, setTitle] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [removed, setRemoved] = useState(false);
  const { mod, sync, state, failed } = useDocSync(api, id, me, attempt);
  const ended = state?.ended ?? null;

  // The stream ended with NOT_FOUND: the document was deleted (leave), or we left the group (say so).
  useEffect(() => {
    if (ended?.code !== 'NOT_FOUND' || !state?.loaded) return;
    let cancelled = false;
    api.groups.get.query({ group_id: group.id }).then(
      () => !cancelled && onGone(),
      (err) => {
        if (cancelled) return;
        if (codeOf(err) === 'NOT_FOUND') setRemoved(true);
        else onGone();
      },
    );
    return () => void (cancelled = true);
  }, [ended]);

  // The title failed to load (a network blip) but the document came: try the title again.
  useEffect(() => {
    if (state?.loaded && meta.error) meta.reload();
  }, [state?.loaded]);

  const missing = ended?.code === 'NOT_FOUND' && !state?.loaded;
  if (missing)
    return (
      <div className="empty" data-testid="doc-missing" role="alert">
        <p>This document could not be found. It may have been deleted, or you are not a member of its group.</p>
        <button onClick={onGone}>Back to {group.name}</button>
      </div>
    );

  const shownTitle = title ?? meta.data?.title ?? '';
  return (
    <section className="doc" data-testid="doc-view" aria-label={shownTitle || 'Document'}>
      <header className="conversation-header doc-header">
        <DocHeader
          title={shownTitle}
          disabled={!!ended || !meta.data}
          onRename={async (next) => {
            setTitle((await api.docs.rename.mutate({ document_id: id, title: next })).title);
            onChanged?.();
          }}
          onDelete={async () => {
            await api.docs.delete.mutate({ document_id: id });
            onGone();
          }}
        />
        {state && <DocPeers status={ended ? 'ended' : state.status} peers={state.peers} />}
      </header>
      {removed ? (
        <p className="error banner doc-ended" role="alert" data-testid="doc-ended">
          You are no longer a member of {group.name}: this editing session has ended. What you see is the last state you had.{' '}
          <button className="link" onClick={onGone}>
            Close
          </button>
        </p>
      ) : (
        ended &&
        ended.code !== 'NOT_FOUND' && (
          <p className="error banner doc-ended" role="alert" data-testid="doc-ended">
            The session ended: {ended.message}{' '}
            <button className="link" onClick={() => setAttempt((n) => n + 1)}>
              Reconnect
            </button>
          </p>
        )
      )}
      {state?.problem && (
        <p className="error banner" role="alert" data-testid="doc-problem">
          A change could not be saved: {state.problem}
        </p>
      )}
      {failed ? (
        <div className="empty" role="alert">
          <p>The editor could not be loaded. Check your connection.</p>
          <button onClick={() => setAttempt((n) => n + 1)}>Try again</button>
        </div>
      ) : mod && sync && state?.loaded ? (
        <DocEditorHost mod={mod} sync={sync} editable={!ended} label={`Text of ${shownTitle || 'the document'}`} />
      ) : (
        <div className="empty" data-testid="doc-loading">
          <p>Opening the document…</p>
        </div>
      )}
    </section>
  );
}
