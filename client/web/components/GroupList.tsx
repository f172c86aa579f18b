import type { Group } from '../../index.ts';
import { Badges } from './Badges.tsx';

export function GroupList({ groups, selected, onOpen }: { groups: Group[]; selected: string | null; onOpen(id: string): void }) {
  if (!groups.length) return <p className="muted small">No groups yet.</p>;
  return (
    <ul className="list">
      {groups.map((g) => (
        <li key={g.id}>
          <button
            className={g.id === selected ? 'item active' : 'item'}
            aria-current={g.id === selected ? 'page' : undefined}
            data-testid="group-item"
            data-name={g.name}
            onClick={() => onOpen(g.id)}
          >
            <span className="avatar" aria-hidden="true">
              {g.name.slice(0, 1).toUpperCase()}
            </span>
            <span className="grow">{g.name}</span>
            {g.my_role !== 'member' && <span className="tag">{g.my_role}</span>}
            {g.id !== selected && <Badges unread={g.unread_count} mentions={g.mention_count} testId="group" />}
          </button>
        </li>
      ))}
    </ul>
  );
}
