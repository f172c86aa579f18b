import type { Group, Member, ParleyClient, User } from '../../index.ts';
import type { ConnectionStatus } from '../hooks/useMeStream.ts';

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
