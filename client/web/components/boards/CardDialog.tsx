import { useState, type FormEvent } from 'react';
import { LIMITS, type Card, type Column, type Member } from '../../../index.ts';
import { useModal } from '../../hooks/useModal.ts';
import { dueFromInput, dueInputValue } from '../../lib/dates.ts';
import { MemberSelect } from '../MemberSelect.tsx';
import { parseLabels } from './Labels.tsx';

/** What the dialog edits. */
export interface CardFields {
  title: string;
  description: string;
  assignee_id: string | null;
  due_at: string | null;
  labels: string[];
}

interface Props {
  /** The card as it is now (live). */
  card: Card;
  columns: Column[];
  members: Member[];
  onMembersOpen(): void;
  canDelete: boolean;
  /** Saves the fields, expecting the card at `version`; resolves to an error text or null when saved. */
  onSave(fields: CardFields, version: number): Promise<string | null>;
  onMove(columnId: string): void;
  onDelete(): Promise<string | null>;
  onClose(): void;
}

const fieldsOf = (c: Card): CardFields => ({
  title: c.title,
  description: c.description,
  assignee_id: c.assignee_id,
  due_at: c.due_at,
  labels: c.labels,
});
const sameFields = (a: CardFields, b: CardFields) => JSON.stringify(a) === JSON.stringify(b);

/** Checked here so the message names the field (the server's would point at "labels.3"). */
function labelProblem(labels: string[]): string | null {
  if (labels.length > LIMITS.labelsMax) return `A card has at most ${LIMITS.labelsMax} labels.`;
  const long = labels.find((l) => l.length > LIMITS.labelMax);
  return long ? `Label “${long.slice(0, 12)}…” is longer than ${LIMITS.labelMax} characters.` : null;
}

/** A card opened for editing: title, description, assignee, due date, labels; its column; delete. */
export function CardDialog({ card, columns, members, onMembersOpen, canDelete, onSave, onMove, onDelete, onClose }: Props) {
  const { props: dialogProps, close, busy, error, setError, run } = useModal(onClose);
  // What the edit started from: a save expects this version, and a change by someone else shows.
  const [base, setBase] = useState(card);
  const [title, setTitle] = useState(card.title);
  const [description, setDescription] = useState(card.description);
  const [assignee, setAssignee] = useState(card.assignee_id);
  const [due, setDue] = useState(dueInputValue(card.due_at));
  const [labels, setLabels] = useState(card.labels.join(', '));
  // After a refused save: the next one is meant to go over the other person's change.
  const [overwrite, setOverwrite] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const changedMeanwhile = !sameFields(fieldsOf(base), fieldsOf(card));

  const loadTheirs = () => {
    setBase(card);
    setTitle(card.title);
    setDescription(card.description);
    setAssignee(card.assignee_id);
    setDue(dueInputValue(card.due_at));
    setLabels(card.labels.join(', '));
    setOverwrite(false);
    setError(null);
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    const parsed = parseLabels(labels);
    const problem = labelProblem(parsed);
    if (problem) return setError(problem);
    const fields = { title: title.trim(), description, assignee_id: assignee, due_at: dueFromInput(due), labels: parsed };
    if (await run(() => onSave(fields, overwrite ? card.version : base.version))) setOverwrite(true);
  }

  const remove = () => run(onDelete);

  return (
    <dialog {...dialogProps} data-testid="card-dialog" aria-labelledby="card-dialog-title">
      <form className="dialog-body" onSubmit={save}>
        <h2 id="card-dialog-title">Edit card</h2>
        {changedMeanwhile && (
          <p className="notice" role="status" data-testid="card-changed">
            Someone else changed this card while you were editing.{' '}
            <button type="button" className="link" onClick={loadTheirs}>
              Show their version
            </button>
          </p>
        )}
        <label>
          Title
          <input
            data-testid="card-title"
            value={title}
            maxLength={LIMITS.taskTitleMax}
            required
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        <label>
          Description
          <textarea
            data-testid="card-description"
            rows={4}
            value={description}
            maxLength={LIMITS.taskNotesMax}
            onChange={(e) => setDescription(e.target.value)}
          />
        </label>
        <div className="dialog-row">
          <label>
            Assignee
            <MemberSelect
              members={members}
              value={assignee}
              onChange={setAssignee}
              onOpen={onMembersOpen}
              label="Assignee"
              testId="card-assignee-select"
            />
          </label>
          <label>
            Due date
            <input type="date" data-testid="card-due-input" value={due} onChange={(e) => setDue(e.target.value)} />
          </label>
        </div>
        <label>
          Labels <span className="muted small">(separated by commas)</span>
          <input data-testid="card-labels" value={labels} placeholder="bug, design" onChange={(e) => setLabels(e.target.value)} />
        </label>
        <label>
          Column <span className="muted small">(moves the card at once)</span>
          <select data-testid="card-column" value={card.column_id} onChange={(e) => onMove(e.target.value)}>
            {columns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p className="error" role="alert" data-testid="card-dialog-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          {canDelete &&
            (confirming ? (
              <span className="confirm" role="alertdialog" aria-label="Delete this card?">
                <span>Delete this card?</span>
                <button type="button" className="danger" data-testid="card-delete-confirm" disabled={busy} onClick={() => void remove()}>
                  Delete
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button type="button" data-testid="card-delete" onClick={() => setConfirming(true)}>
                Delete card
              </button>
            ))}
          <span className="grow-space" />
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button className="primary" data-testid="card-save" disabled={busy || !title.trim()}>
            Save
          </button>
        </div>
      </form>
    </dialog>
  );
}
