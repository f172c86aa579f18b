import { useState, type FormEvent } from 'react';
import { errorText } from '../../lib/api.ts';

interface Props {
  title: string;
  /** Editing has ended (or never began): renaming and deleting make no sense then. */
  disabled: boolean;
  onRename(title: string): Promise<void>;
  onDelete(): Promise<void>;
}

/** The document's title, renaming it in place, and deleting it after a confirmation. The server decides who may. */
export function DocHeader({ title, disabled, onRename, onDelete }: Props) {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [draft, setDraft] = useState(title);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
      setMode('view');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  const cancel = () => {
    setMode('view');
    setError(null);
  };
  const rename = (e: FormEvent) => {
    e.preventDefault();
    const next = draft.trim();
    if (!next || next === title) return cancel();
    void run(() => onRename(next));
  };

  return (
    <div className="doc-title">
      {mode === 'rename' ? (
        <form className="row" onSubmit={rename} onKeyDown={(e) => e.key === 'Escape' && cancel()}>
          <input
            data-testid="doc-rename-input"
            aria-label="Document title"
            value={draft}
            maxLength={100}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
          />
          <button className="primary" data-testid="doc-rename-save" disabled={busy || !draft.trim()}>
            Save
          </button>
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          <h2 data-testid="doc-title">{title}</h2>
          {mode === 'view' && (
            <span className="doc-actions">
              <button
                data-testid="doc-rename"
                disabled={disabled}
                onClick={() => {
                  setDraft(title);
                  setMode('rename');
                }}
              >
                Rename
              </button>
              <button data-testid="doc-delete" disabled={disabled} onClick={() => setMode('delete')}>
                Delete
              </button>
            </span>
          )}
        </>
      )}
      {mode === 'delete' && (
        <div className="doc-confirm" role="group" aria-label="Confirm deletion">
          <span>Delete this document for everyone in the group?</span>
          <button className="danger" data-testid="doc-delete-confirm" disabled={busy} onClick={() => void run(onDelete)}>
            Delete
          </button>
          <button onClick={cancel} autoFocus>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="doc-action-error">
          {error}
        </p>
      )}
    </div>
  );
}
