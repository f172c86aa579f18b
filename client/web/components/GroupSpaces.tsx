import { useEffect } from 'react';
import type { Group, ParleyClient } from '../../index.ts';
import { useLoad } from '../hooks/useLoad.ts';
import type { Space, SpaceKind } from '../hooks/useRoute.ts';
import { InlineForm } from './InlineForm.tsx';

interface Props {
  api: ParleyClient;
  group: Group;
  selected: Space | null;
  /** Bumped when `realtime.me` says a document, board or list was created or deleted in a group. */
  changes: number;
  onOpen(space: Space): void;
}

interface Item {
  id: string;
  name: string;
}

/** Each kind of space: how to list and create it, and how it is shown. */
const KINDS: { kind: SpaceKind; title: string; icon: string; placeholder: string }[] = [
  { kind: 'doc', title: 'Documents', icon: '¶', placeholder: 'New document title' },
  { kind: 'board', title: 'Boards', icon: '▦', placeholder: 'New board name' },
  { kind: 'tasks', title: 'Task lists', icon: '☑', placeholder: 'New task list name' },
];

async function listSpaces(api: ParleyClient, groupId: string): Promise<Record<SpaceKind, Item[]>> {
  const [docs, boards, lists] = await Promise.all([
    api.docs.list.query({ group_id: groupId }),
    api.boards.list.query({ group_id: groupId }),
    api.tasks.lists.query({ group_id: groupId }),
  ]);
  return { doc: docs.map((d) => ({ id: d.id, name: d.title })), board: boards, tasks: lists };
}

async function createSpace(api: ParleyClient, groupId: string, kind: SpaceKind, name: string): Promise<string> {
  if (kind === 'doc') return (await api.docs.create.mutate({ group_id: groupId, title: name })).id;
  if (kind === 'board') return (await api.boards.create.mutate({ group_id: groupId, name })).id;
  return (await api.tasks.createList.mutate({ group_id: groupId, name })).id;
}

/** A group's documents, boards and task lists, each with a form to start a new one. */
export function GroupSpaces({ api, group, selected, changes, onOpen }: Props) {
  const spaces = useLoad(() => listSpaces(api, group.id), [api, group.id]);
  useEffect(() => {
    if (changes) spaces.reload();
  }, [changes]);

  return (
    <>
      {KINDS.map(({ kind, title, icon, placeholder }) => (
        <section key={kind} data-testid={`spaces-${kind}`}>
          <h3>{title}</h3>
          <ul className="list">
            {(spaces.data?.[kind] ?? []).map((item) => {
              const active = selected?.kind === kind && selected.id === item.id;
              return (
                <li key={item.id}>
                  <button
                    className={active ? 'item active' : 'item'}
                    aria-current={active ? 'page' : undefined}
                    data-testid={`space-item-${kind}`}
                    data-name={item.name}
                    onClick={() => onOpen({ kind, id: item.id })}
                  >
                    <span className="icon" aria-hidden="true">
                      {icon}
                    </span>
                    <span className="grow">{item.name}</span>
                  </button>
                </li>
              );
            })}
            {spaces.data && !spaces.data[kind].length && <li className="muted small">None yet.</li>}
          </ul>
          <InlineForm
            testId={`space-create-${kind}`}
            placeholder={placeholder}
            button="Add"
            onSubmit={async (name) => {
              const id = await createSpace(api, group.id, kind, name);
              spaces.reload();
              onOpen({ kind, id });
            }}
          />
        </section>
      ))}
      {spaces.error && (
        <p className="error small" role="alert">
          {spaces.error}
        </p>
      )}
    </>
  );
}
