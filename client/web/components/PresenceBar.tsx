import type { User } from '../../index.ts';
import type { Peer } from '../lib/call.ts';

interface Props {
  me: User;
  users: Peer[];
  partner: Peer | null;
  callKind: 'video' | 'audio' | null;
  canCall: boolean;
  onCall(peer: Peer): void;
}

/**
 * Who is here. In a channel that is everyone with the channel open, each callable; in a DM it is
 * the partner's online state and one call button.
 */
export function PresenceBar({ me, users, partner, callKind, canCall, onCall }: Props) {
  const label = callKind === 'audio' ? 'Call' : 'Video call';
  if (partner) {
    const online = users.some((u) => u.id === partner.id);
    return (
      <div className="presence">
        <span className={online ? 'dot on' : 'dot'} />
        <span data-testid="partner-status" data-online={online}>
          {online ? 'online' : 'offline'}
        </span>
        {callKind && (
          <button data-testid="call-start" data-username={partner.username} disabled={!canCall} onClick={() => onCall(partner)}>
            {label}
          </button>
        )}
      </div>
    );
  }
  return (
    <ul className="presence" data-testid="online-users">
      {users.map((u) => (
        <li key={u.id} data-testid="online-user" data-username={u.username}>
          <span className="dot on" />
          {u.username}
          {u.id === me.id && <span className="muted"> (you)</span>}
          {callKind && u.id !== me.id && (
            <button data-testid="call-start" data-username={u.username} disabled={!canCall} onClick={() => onCall(u)}>
              {label}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
