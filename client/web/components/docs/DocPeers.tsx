import type { DocPeer, DocStatus } from '../../lib/docs/sync.ts';

const LABEL: Record<DocStatus | 'ended', string> = {
  connecting: 'Connecting…',
  saving: 'Saving…',
  synced: 'Saved',
  offline: 'Offline: edits are kept here',
  ended: 'Session ended',
};

/** The sync state of the document, and who has it open (one entry per user, in their cursor colour). */
export function DocPeers({ status, peers }: { status: DocStatus | 'ended'; peers: DocPeer[] }) {
  // Once the session is over, nobody is known to be here.
  const users = status === 'ended' ? [] : [...new Map(peers.map((p) => [p.id, p])).values()];
  return (
    <div className="doc-peers">
      <span className={`doc-status ${status}`} data-testid="doc-status" data-status={status} role="status" aria-live="polite">
        <span className="dot" aria-hidden="true" />
        {LABEL[status]}
      </span>
      <ul className="doc-here" aria-label="Editing now" data-testid="doc-here">
        {users.map((u) => (
          <li key={u.id} data-testid="doc-peer" data-username={u.name} title={u.me ? `${u.name} (you)` : u.name}>
            <span className="doc-swatch" style={{ background: u.color }} aria-hidden="true">
              {u.name.slice(0, 1).toUpperCase()}
            </span>
            <span className="doc-peer-name">{u.me ? `${u.name} (you)` : u.name}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
