import type { Channel, Group, ParleyClient } from '../../index.ts';
import type { Space } from '../hooks/useRoute.ts';
import { Badges } from './Badges.tsx';
import { CreateChannelForm } from './CreateChannelForm.tsx';
import { GroupSpaces } from './GroupSpaces.tsx';
import { InviteBox } from './InviteBox.tsx';

interface Props {
  api: ParleyClient;
  group: Group;
  channels: Channel[];
  selected: string | null;
  onSelect(channelId: string): void;
  onCreated(): void;
  space: Space | null;
  spaceChanges: number;
  onOpenSpace(space: Space): void;
}

const ICON: Record<Channel['type'], string> = { TEXT: '#', VOICE: '♪', VIDEO: '▶' };

/** A group's channels, documents, boards and task lists, its invite and (for owners and admins) a form for new channels. */
export function ChannelsPane({ api, group, channels, selected, onSelect, onCreated, space, spaceChanges, onOpenSpace }: Props) {
  const canManage = group.my_role === 'owner' || group.my_role === 'admin';
  return (
    <nav className="channels" data-testid="channels-pane" aria-label={`${group.name} channels`}>
      <header>
        <h2 data-testid="group-title">{group.name}</h2>
        {group.description && <p className="muted small">{group.description}</p>}
      </header>
      <ul className="list">
        {channels.map((c) => (
          <li key={c.id}>
            <button
              className={c.id === selected ? 'item active' : c.unread_count ? 'item unread' : 'item'}
              aria-current={c.id === selected ? 'page' : undefined}
              data-testid="channel-item"
              data-name={c.name}
              data-type={c.type}
              onClick={() => onSelect(c.id)}
            >
              <span className="icon" aria-hidden="true">
                {ICON[c.type]}
              </span>
              <span className="grow">{c.name}</span>
              {c.id !== selected && <Badges unread={c.unread_count} mentions={c.mention_count} testId="channel" />}
            </button>
          </li>
        ))}
        {!channels.length && <li className="muted small">No channels yet.</li>}
      </ul>
      {canManage && (
        <CreateChannelForm
          onCreate={async (name, type) => {
            const channel = await api.channels.create.mutate({ group_id: group.id, name, type });
            onCreated();
            onSelect(channel.id);
          }}
        />
      )}
      <GroupSpaces key={group.id} api={api} group={group} selected={space} changes={spaceChanges} onOpen={onOpenSpace} />
      {canManage && <InviteBox key={group.id} api={api} groupId={group.id} />}
    </nav>
  );
}
