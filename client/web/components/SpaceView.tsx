import type { Group, Member, ParleyClient, User } from '../../index.ts';
import type { ConnectionStatus } from '../hooks/useMeStream.ts';
import type { Space } from '../hooks/useRoute.ts';
import { BoardView } from './boards/BoardView.tsx';
import { DocView } from './docs/DocView.tsx';
import { TaskListView } from './tasks/TaskListView.tsx';

/** What every space view gets: the client, who I am, the group and its members, the open item. */
export interface SpaceProps {
  api: ParleyClient;
  me: User;
  group: Group;
  members: Member[];
  id: string;
  connection: ConnectionStatus;
  /** The item is gone (deleted here or by someone else): leave it. */
  onGone(): void;
  /** The item's name changed here: lists showing it should reload. */
  onChanged?(): void;
}

/** The open document, board or task list of a group. */
export function SpaceView({ space, ...props }: Omit<SpaceProps, 'id'> & { space: Space }) {
  if (space.kind === 'doc') return <DocView key={space.id} id={space.id} {...props} />;
  if (space.kind === 'board') return <BoardView key={space.id} id={space.id} {...props} />;
  return <TaskListView key={space.id} id={space.id} {...props} />;
}
