import { useState } from 'react';
import type { ConnectionStatus } from '../hooks/useMeStream.ts';
import { PeopleIcon } from './icons.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';

const LABEL: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  resuming: 'Catching up…',
};

interface Props {
  connection: ConnectionStatus;
  drawerOpen: boolean;
  onMenu(): void;
  hasGroup: boolean;
  aside: 'members' | 'search' | null;
  onToggleMembers(): void;
  onSearch(query: string): void;
}

/** Menu (phones), the connection state, message search, the member list and the theme. */
export function TopBar({ connection, drawerOpen, onMenu, hasGroup, aside, onToggleMembers, onSearch }: Props) {
  const [query, setQuery] = useState('');
  return (
    <div className="topbar">
      <button
        className="menu only-narrow"
        data-testid="menu-toggle"
        aria-label="Menu"
        aria-expanded={drawerOpen}
        aria-controls="nav"
        onClick={onMenu}
      >
        ☰
      </button>
      <span
        className={`connection ${connection}`}
        data-testid="connection-status"
        data-status={connection}
        role="status"
        aria-live="polite"
      >
        <span className="dot" aria-hidden="true" />
        <span className="label">{LABEL[connection]}</span>
      </span>
      <form
        className="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (query.trim()) onSearch(query.trim());
        }}
      >
        <input
          type="search"
          data-testid="search-input"
          aria-label={hasGroup ? 'Search messages in this group' : 'Search messages'}
          placeholder="Search messages"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </form>
      {hasGroup && (
        <button
          data-testid="members-toggle"
          aria-pressed={aside === 'members'}
          aria-label="Members"
          title="Members"
          onClick={onToggleMembers}
        >
          <PeopleIcon />
        </button>
      )}
      <ThemeToggle />
    </div>
  );
}
