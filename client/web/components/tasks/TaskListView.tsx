import { useEffect, useMemo, useState } from 'react';
import { streamHandlers, type Task, type TaskStreamEvent } from '../../../index.ts';
import { useDragOrder } from '../../hooks/useDragOrder.ts';
import { useLiveSpace } from '../../hooks/useLiveSpace.ts';
import { useMembers } from '../../hooks/useMembers.ts';
import { usePending } from '../../hooks/usePending.ts';
import { afterIdAt, stepAfterId } from '../../lib/order.ts';
import { applyTaskEvent, showTasks, type ListData, type TaskOp, type TaskPatch } from '../../lib/tasks.ts';
import { upsertNewer } from '../../lib/versions.ts';
import { InlineForm } from '../InlineForm.tsx';
import { SpaceHeader } from '../SpaceHeader.tsx';
import type { SpaceProps } from '../space-props.ts';
import { TaskRow } from './TaskRow.tsx';

/** Whether done tasks are hidden, remembered per list on this device. */
function useHideDone(listId: string) {
  const key = `parley.tasks.hideDone.${listId}`;
  const [hide, setHide] = useState(() => localStorage.getItem(key) === '1');
  const set = (on: boolean) => {
    setHide(on);
    if (on) localStorage.setItem(key, '1');
    else localStorage.removeItem(key);
  };
  return [hide, set] as const;
}

/** What a patch does, for the message when it fails. */
function describe(patch: TaskPatch, title: string): string {
  if (patch.done !== undefined) return `mark “${title}” ${patch.done ? 'done' : 'not done'}`;
  if (patch.title !== undefined) return `rename “${title}”`;
  if (patch.assignee_id !== undefined) return `assign “${title}”`;
  if (patch.due_at !== undefined) return `change the due date of “${title}”`;
  return `save the notes of “${title}”`;
}

/** A task list, live: tasks in order with their checkbox, title, assignee, due date and notes. */
export function TaskListView({ api, me, group, members, id, onGone }: SpaceProps) {
  const live = useLiveSpace<ListData, TaskStreamEvent>(
    {
      load: async () => {
        const [lists, tasks] = await Promise.all([api.tasks.lists.query({ group_id: group.id }), api.tasks.list.query({ list_id: id })]);
        const list = lists.find((l) => l.id === id) ?? { id, group_id: group.id, name: 'Task list', created_by: '', created_at: '' };
        return { list, tasks };
      },
      subscribe: (handlers) => {
        const sub = api.realtime.tasks.subscribe({ list_id: id }, streamHandlers(handlers));
        return () => sub.unsubscribe();
      },
      apply: applyTaskEvent,
      isGone: (e) => e.type === 'list_deleted',
    },
    id,
    onGone,
  );
  const pending = usePending<TaskOp>();
  const people = useMembers(api, group.id, members);
  const [hideDone, setHideDone] = useHideDone(id);
  const data = live.data;
  const all = useMemo(() => (data ? showTasks(data, pending.ops) : []), [data, pending.ops]);
  const shown = hideDone ? all.filter((t) => !t.done) : all;
  const manager = group.my_role === 'owner' || group.my_role === 'admin';

  const [refocus, setRefocus] = useState<{ id: string; control: string } | null>(null);

  useEffect(() => {
    if (data?.tasks.some((t) => !people.known(t.assignee_id))) people.refresh();
  }, [data]);
  // A task moved from the keyboard keeps the focus (React may have moved its row in the page).
  useEffect(() => {
    if (!refocus) return;
    const row = document.querySelector(`[data-drag-item="${refocus.id}"]`);
    const el = row?.querySelector<HTMLButtonElement>(`[data-testid="${refocus.control}"]`);
    (el && !el.disabled ? el : row?.querySelector<HTMLElement>('[data-testid="task-title"]'))?.focus();
    setRefocus(null);
  }, [all, refocus]);

  const putTask = (task: Task) => live.setData((d) => d && { ...d, tasks: upsertNewer(d.tasks, task) });

  function patch(task: Task, change: TaskPatch, version: number) {
    void pending.run({
      op: { kind: 'patch', taskId: task.id, patch: change },
      item: { id: task.id, version },
      send: (v) => api.tasks.update.mutate({ task_id: task.id, ...change, expected_version: v }),
      done: putTask,
      what: describe(change, task.title),
    });
  }

  function move(task: Task, afterId: string | null) {
    const control = (document.activeElement as HTMLElement | null)?.closest(`[data-drag-item="${task.id}"]`)
      ? (document.activeElement as HTMLElement).dataset.testid
      : undefined;
    if (control) setRefocus({ id: task.id, control });
    void pending.run({
      op: { kind: 'move', taskId: task.id, afterId },
      item: task,
      send: (v) => api.tasks.move.mutate({ task_id: task.id, after_id: afterId, expected_version: v }),
      done: putTask,
      what: `move “${task.title}”`,
    });
  }

  function remove(task: Task) {
    void pending.run({
      op: { kind: 'delete', taskId: task.id },
      send: () => api.tasks.delete.mutate({ task_id: task.id }),
      done: () => live.setData((d) => d && { ...d, tasks: d.tasks.filter((t) => t.id !== task.id) }),
      what: `delete “${task.title}”`,
    });
  }

  const drag = useDragOrder({
    dropItem(taskId, _lane, index) {
      const task = all.find((t) => t.id === taskId);
      if (!task) return;
      // The index counts shown tasks; the move is relative to the full list (hidden done ones too).
      const before = shown.filter((t) => t.id !== taskId)[index - 1];
      const afterId = before ? before.id : afterIdAt(all, taskId, 0);
      if (afterId !== afterIdAt(all, taskId, all.indexOf(task))) move(task, afterId);
    },
  });

  if (!data)
    return (
      <div className="empty" data-testid="tasks-loading">
        {live.error ? <p className="error">{live.error}</p> : <p>Loading the list…</p>}
      </div>
    );

  const dropBefore = drag.itemDropBefore(id, shown);
  const doneCount = all.filter((t) => t.done).length;
  const message = pending.error ?? live.error;

  return (
    <section className="space tasks-view" data-testid="task-list" aria-label={`Task list ${data.list.name}`}>
      <SpaceHeader
        icon="☑"
        what="task list"
        name={data.list.name}
        canDelete={manager || data.list.created_by === me.id}
        onRename={async (name) => {
          const list = await api.tasks.renameList.mutate({ list_id: id, name });
          live.setData((d) => d && { ...d, list });
        }}
        onDelete={async () => {
          await api.tasks.deleteList.mutate({ list_id: id });
          onGone();
        }}
      >
        <label className="toggle">
          <input type="checkbox" data-testid="hide-done" checked={hideDone} onChange={(e) => setHideDone(e.target.checked)} />
          Hide done{hideDone && doneCount ? ` (${doneCount})` : ''}
        </label>
      </SpaceHeader>
      {message && (
        <p className="error banner space-banner" role="alert" data-testid="tasks-error">
          {message}{' '}
          <button
            className="link"
            onClick={() => {
              pending.clearError();
              if (live.error) live.retry();
            }}
          >
            {live.error ? 'Try again' : 'Dismiss'}
          </button>
        </p>
      )}
      <div className="tasks-scroll">
        <ul className="tasks" data-testid="tasks" {...drag.itemZone(id)}>
          {shown.map((task) => (
            <TaskRow
              key={task.id}
              task={task}
              members={people.members}
              onMembersOpen={people.refresh}
              onPatch={(change, version) => patch(task, change, version)}
              onUp={shownStep(all, shown, task, -1, move)}
              onDown={shownStep(all, shown, task, 1, move)}
              onDelete={() => remove(task)}
              canDelete={manager || task.created_by === me.id}
              handleProps={drag.item(task.id, task.title)}
              dimmed={drag.dragging?.id === task.id}
              dropBefore={dropBefore === task.id}
            />
          ))}
          {dropBefore === 'end' && (
            <li className="task-end" aria-hidden="true">
              <span className="drop-line" data-testid="drop-indicator" />
            </li>
          )}
        </ul>
        {!shown.length && (
          <p className="empty-list muted" data-testid="tasks-empty">
            {all.length ? 'Every task is done.' : 'No tasks yet: add the first one below.'}
          </p>
        )}
      </div>
      <p id="task-keys" className="sr-only">
        Alt and the up or down arrow key moves the task.
      </p>
      <footer className="tasks-add">
        <InlineForm
          testId="task-create"
          placeholder="Add a task"
          button="Add"
          onSubmit={async (title) => putTask(await api.tasks.create.mutate({ list_id: id, title }))}
        />
      </footer>
    </section>
  );
}

/** The handler that moves `task` one shown place up or down, if it can go there. */
function shownStep(all: Task[], shown: Task[], task: Task, dir: -1 | 1, move: (task: Task, afterId: string | null) => void) {
  const afterId = stepAfterId(all, shown, task.id, dir);
  return afterId === undefined ? undefined : () => move(task, afterId);
}
