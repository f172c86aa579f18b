import { useEffect, useState } from 'react';
import type { Channel, Group, Message, ParleyClient } from '../../index.ts';
import { errorText } from '../lib/errors.ts';
import { Snippet } from './MessageText.tsx';

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

interface Props {
  api: ParleyClient;
  query: string;
  /** Search this group only when one is open. */
  group: Group | null;
  channels: Channel[];
  me: string;
  onClose(): void;
  onOpen(m: Message): Promise<void>;
}

/** `messages.search` results with their highlighted snippets; a result opens its channel. */
export function SearchPanel({ api, query, group, channels, onClose, onOpen }: Props) {
  const [results, setResults] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    api.messages.search.query({ query, limit: 25, ...(group ? { group_id: group.id } : {}) }).then(
      (r) => !stale && setResults(r),
      (err: unknown) => !stale && setError(errorText(err)),
    );
    return () => {
      stale = true;
    };
  }, [api, query, group?.id]);
  const channelName = (id: string) => channels.find((c) => c.id === id)?.name;

  return (
    <aside className="aside" data-testid="search-panel" aria-label="Search results">
      <header>
        <h2>
          Results for “{query}”{group && <span className="muted small"> in {group.name}</span>}
        </h2>
        <button className="link" onClick={onClose} aria-label="Close search">
          ✕
        </button>
      </header>
      {error && <p className="error">{error}</p>}
      {!results && !error && <p className="muted">Searching…</p>}
      {results?.length === 0 && <p className="muted">No messages match.</p>}
      <ul className="list results">
        {results?.map((m) => (
          <li key={m.id}>
            <button className="result" data-testid="search-result" onClick={() => void onOpen(m).catch((err) => setError(errorText(err)))}>
              <span className="small muted">
                <strong>{m.sender_username}</strong>
                {channelName(m.channel_id) && <> in #{channelName(m.channel_id)}</>} · {time.format(new Date(m.created_at))}
              </span>
              {m.snippet ? <Snippet html={m.snippet} /> : <span className="snippet">{m.content}</span>}
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
