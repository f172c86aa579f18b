import { useRef, useState, type KeyboardEvent } from 'react';
import { LIMITS, type Member, type Task } from '../../../index.ts';
import { dueFromInput, dueInputValue, isOverdue } from '../../lib/dates.ts';
import type { TaskPatch } from '../../lib/tasks.ts';
import { MemberSelect } from '../MemberSelect.tsx';

interface Props {
  task: Task;
  members: Member[];
  onMembersOpen(): void;
  /** Changes fields of the task as the user saw it at `version`. */
  onPatch(patch: TaskPatch, version: number): void;
  /** One place up or down among the shown tasks; undefined when it cannot go that way. */
  onUp?(): void;
  onDown?(): void;
  onDelete(): void;
  canDelete: boolean;
  handleProps: object;
  dimmed: boolean;
  dropBefore: boolean;
}

/** A text edited in place: saved on Enter or when focus leaves, Escape puts it back. */
function useDraft(current: string, version: number, save: (text: string, version: number) => void) {
  const [draft, setDraft] = useState<{ text: string; version: number } | null>(null);
  const cancelled = useRef(false);
  return {
    value: draft?.text ?? current,
    onFocus: () => {
      cancelled.current = false;
      setDraft({ text: current, version });
    },
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ text: e.target.value, version: d?.version ?? version })),
    onBlur: () => {
      if (draft && !cancelled.current && draft.text !== current) save(draft.text, draft.version);
      setDraft(null);
    },
    cancel: (el: HTMLElement) => {
      cancelled.current = true;
      setDraft(null);
      el.blur();
    },
  };
}

/** One task: done, title, assignee, due date, notes, and moving or deleting it. */
export function TaskRow({
  task,
  members,
  onMembersOpen,
  onPatch,
  onUp,
  onDown,
  onDelete,
  canDelete,
  handleProps,
  dimmed,
  dropBefore,
}: Props) {
  const [notesOpen, setNotesOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const title = useDraft(task.title, task.version, (text, version) => {
    if (text.trim()) onPatch({ title: text.trim() }, version);
  });
  const notes = useDraft(task.notes, task.version, (text, version) => onPatch({ notes: text }, version));
  const overdue = isOverdue(task.due_at, task.done);

  const onKey = (e: KeyboardEvent<HTMLLIElement>) => {
    const tag = (e.target as HTMLElement).tagName;
    if (!e.altKey || tag === 'SELECT' || tag === 'TEXTAREA' || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    e.stopPropagation(); // not the workspace's Alt+↑/↓ (next channel)
    (e.key === 'ArrowUp' ? onUp : onDown)?.();
  };

  return (
    <li
      className={`task${task.done ? ' done' : ''}${overdue ? ' overdue' : ''}${dimmed ? ' dragging' : ''}`}
      data-testid="task"
      data-drag-item={task.id}
      data-title={task.title}
      data-done={task.done}
      onKeyDown={onKey}
    >
      {dropBefore && <span className="drop-line" data-testid="drop-indicator" aria-hidden="true" />}
      <div className="task-main">
        <span className="grip" title="Drag to reorder" aria-hidden="true" {...handleProps}>
          ⠿
        </span>
        <input
          type="checkbox"
          data-testid="task-done"
          aria-label={`Done: ${task.title}`}
          checked={task.done}
          onChange={() => onPatch({ done: !task.done }, task.version)}
        />
        <input
          className="task-title"
          data-testid="task-title"
          aria-label="Task title"
          aria-describedby="task-keys"
          maxLength={LIMITS.taskTitleMax}
          value={title.value}
          onFocus={title.onFocus}
          onChange={title.onChange}
          onBlur={title.onBlur}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.currentTarget.blur();
            if (e.key === 'Escape') title.cancel(e.currentTarget);
          }}
        />
        {overdue && (
          <span className="overdue-tag" data-testid="task-overdue">
            Overdue
          </span>
        )}
      </div>
      <div className="task-tools">
        <MemberSelect
          className="task-assignee"
          members={members}
          value={task.assignee_id}
          onChange={(assignee_id) => onPatch({ assignee_id }, task.version)}
          onOpen={onMembersOpen}
          label={`Assignee of ${task.title}`}
          testId="task-assignee"
        />
        <input
          type="date"
          className="task-due"
          data-testid="task-due"
          aria-label={`Due date of ${task.title}${overdue ? ' (overdue)' : ''}`}
          aria-invalid={overdue || undefined}
          value={dueInputValue(task.due_at)}
          onChange={(e) => onPatch({ due_at: dueFromInput(e.target.value) }, task.version)}
        />
        <button
          className={task.notes ? 'icon-button has-notes' : 'icon-button'}
          data-testid="task-notes-toggle"
          aria-expanded={notesOpen}
          aria-label={task.notes ? 'Notes (has notes)' : 'Notes'}
          title="Notes"
          onClick={() => setNotesOpen(!notesOpen)}
        >
          ≡
        </button>
      </div>
      <div className="task-tools">
        <button className="icon-button" data-testid="task-up" aria-label={`Move ${task.title} up`} disabled={!onUp} onClick={onUp}>
          ▲
        </button>
        <button className="icon-button" data-testid="task-down" aria-label={`Move ${task.title} down`} disabled={!onDown} onClick={onDown}>
          ▼
        </button>
        {canDelete &&
          (confirming ? (
            <span className="confirm" role="alertdialog" aria-label="Delete this task?">
              <button className="danger" data-testid="task-delete-confirm" autoFocus onClick={onDelete}>
                Delete
              </button>
              <button onClick={() => setConfirming(false)}>Keep</button>
            </span>
          ) : (
            <button
              className="icon-button"
              data-testid="task-delete"
              aria-label={`Delete ${task.title}`}
              onClick={() => setConfirming(true)}
            >
              ✕
            </button>
          ))}
      </div>
      {notesOpen && (
        <textarea
          className="task-notes"
          data-testid="task-notes"
          aria-label={`Notes on ${task.title}`}
          rows={3}
          maxLength={LIMITS.taskNotesMax}
          placeholder="Notes"
          value={notes.value}
          onFocus={notes.onFocus}
          onChange={notes.onChange}
          onBlur={notes.onBlur}
          onKeyDown={(e) => e.key === 'Escape' && notes.cancel(e.currentTarget)}
        />
      )}
    </li>
  );
}
