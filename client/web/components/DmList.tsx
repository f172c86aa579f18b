import type { DmThread } from '../lib/inbox.ts';

export function DmList({ threads, selected, onOpen }: { threads: DmThread[]; selected: string | null; onOpen(t: DmThread): void }) {
  if (!threads.length) return <p className="muted small">No conversations yet.</p>;
  return (
    <ul className="list">
      {threads.map((t) => (
        <li key={t.partner.id}>
          <button
            className={t.partner.id === selected ? 'item active' : 'item'}
            aria-current={t.partner.id === selected ? 'page' : undefined}
            data-testid="dm-item"
            data-username={t.partner.username}
            onClick={() => onOpen(t)}
          >
            <span className="avatar round" aria-hidden="true">
              {t.partner.username.slice(0, 1).toUpperCase()}
            </span>
            <span className="grow">
              <span>{t.partner.username}</span>
              {t.last && <span className="preview">{preview(t.last)}</span>}
            </span>
            {t.unread > 0 && (
              <span className="badge" data-testid="dm-unread" aria-label={`${t.unread} unread`}>
                {t.unread}
              </span>
            )}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The last message in a line: its text, or the files it carried. */
function preview(m: NonNullable<DmThread['last']>): string {
  if (m.content || !m.attachments?.length) return m.content;
  return m.attachments.length === 1 ? m.attachments[0]!.filename : `${m.attachments.length} attachments`;
}
