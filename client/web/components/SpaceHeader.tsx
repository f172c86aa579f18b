import { useState, type FormEvent, type ReactNode } from 'react';
import { errorText } from '../lib/api.ts';

interface Props {
  icon: string;
  /** "board", "task list": for labels and the delete question. */
  what: string;
  name: string;
  canDelete: boolean;
  onRename(name: string): Promise<unknown>;
  onDelete(): Promise<unknown>;
  /** Controls of the view (filters) shown between the title and the delete button. */
  children?: ReactNode;
}

/** A board's or task list's title bar: its name (renamed in place) and delete, with a confirmation. */
export function SpaceHeader({ icon, what, name, canDelete, onRename, onDelete, children }: Props) {
  const [draft, setDraft] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function attempt(work: () => Promise<unknown>) {
    setBusy(true);
    try {
      await work();
      setError(null);
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function rename(e: FormEvent) {
    e.preventDefault();
    const next = draft?.trim();
    if (!next || next === name) return setDraft(null);
    if (await attempt(() => onRename(next))) setDraft(null);
  }

  return (
    <header className="conversation-header space-header">
      <span className="icon" aria-hidden="true">
        {icon}
      </span>
      {draft === null ? (
        <>
          <h2 data-testid="space-title">{name}</h2>
          <button className="link subtle" data-testid="space-rename" onClick={() => setDraft(name)}>
            Rename
          </button>
        </>
      ) : (
        <form className="row" onSubmit={rename}>
          <input
            data-testid="space-rename-input"
            aria-label={`New ${what} name`}
            value={draft}
            autoFocus
            maxLength={100}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setDraft(null)}
          />
          <button className="primary" disabled={busy || !draft.trim()}>
            Save
          </button>
          <button type="button" onClick={() => setDraft(null)}>
            Cancel
          </button>
        </form>
      )}
      <div className="space-tools">
        {children}
        {canDelete &&
          (confirming ? (
            <span className="confirm" role="alertdialog" aria-label={`Delete this ${what}?`}>
              <span>Delete this {what} and everything in it?</span>
              <button
                className="danger"
                data-testid="space-delete-confirm"
                autoFocus
                disabled={busy}
                onClick={() => void attempt(onDelete)}
              >
                Delete
              </button>
              <button onClick={() => setConfirming(false)}>Cancel</button>
            </span>
          ) : (
            <button data-testid="space-delete" onClick={() => setConfirming(true)}>
              Delete {what}
            </button>
          ))}
      </div>
      {error && (
        <p className="error" role="alert" data-testid="space-error">
          {error}
        </p>
      )}
    </header>
  );
}
