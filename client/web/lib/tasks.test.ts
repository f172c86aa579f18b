import { describe, expect, test } from 'bun:test';
import type { Task, TaskList } from '../../index.ts';
import { applyTaskEvent, showTasks, type ListData } from './tasks.ts';

const LIST: TaskList = { id: 'l', group_id: 'g', name: 'Launch', created_by: 'u', created_at: '' };
const task = (id: string, position: string, extra: Partial<Task> = {}): Task => ({
  id,
  list_id: 'l',
  title: id,
  notes: '',
  done: false,
  done_at: null,
  assignee_id: null,
  due_at: null,
  position,
  version: 1,
  created_by: 'u',
  created_at: '',
  updated_at: '',
  ...extra,
});
const titles = (tasks: Task[]) => tasks.map((t) => t.title);

describe('a task list kept by the stream', () => {
  const data: ListData = { list: LIST, tasks: [task('b', 'a1'), task('a', 'a0'), task('c', 'a2')] };

  test('events add, replace (newer versions only), move and remove tasks; the list is renamed', () => {
    let d = applyTaskEvent(data, { type: 'task_created', task: task('d', 'Zz') });
    expect(titles(showTasks(d, []))).toEqual(['d', 'a', 'b', 'c']);
    d = applyTaskEvent(d, { type: 'task_updated', task: task('a', 'a0', { title: 'A!', done: true, version: 3 }) });
    d = applyTaskEvent(d, { type: 'task_moved', task: task('a', 'a3', { version: 2 }) }); // older: ignored
    expect(showTasks(d, []).find((t) => t.id === 'a')).toMatchObject({ title: 'A!', done: true, position: 'a0' });
    d = applyTaskEvent(d, { type: 'task_moved', task: task('a', 'a3', { title: 'A!', done: true, version: 4 }) });
    d = applyTaskEvent(d, { type: 'task_deleted', id: 'b', list_id: 'l' });
    d = applyTaskEvent(d, { type: 'list_updated', list: { ...LIST, name: 'Launch v2' } });
    expect(titles(showTasks(d, []))).toEqual(['d', 'c', 'A!']);
    expect(d.list.name).toBe('Launch v2');
  });

  test('pending patches, moves and deletes show on top, in the order they were made', () => {
    const shown = showTasks(data, [
      { kind: 'patch', taskId: 'a', patch: { done: true, assignee_id: 'u2' } },
      { kind: 'move', taskId: 'c', afterId: null },
      { kind: 'delete', taskId: 'b' },
      { kind: 'move', taskId: 'gone', afterId: null },
    ]);
    expect(shown.map((t) => [t.id, t.done, t.assignee_id])).toEqual([
      ['c', false, null],
      ['a', true, 'u2'],
    ]);
    // The confirmed state is untouched: dropping the ops undoes them.
    expect(titles(showTasks(data, []))).toEqual(['a', 'b', 'c']);
  });
});
