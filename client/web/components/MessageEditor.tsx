import { useState, type KeyboardEvent } from 'react';
import { LIMITS } from '../../index.ts';
import { errorText } from '../lib/errors.ts';

/** Inline editing of one message: Enter saves, Escape cancels; the text stays until it is saved. */
export function MessageEditor({
  initial,
  onSave,
  onCancel,
}: {
  initial: string;
  onSave(content: string): Promise<void>;
  onCancel(): void;
}) {
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save() {
    const content = text.trim();
    if (!content || busy) return;
    if (content === initial) return onCancel();
    setBusy(true);
    try {
      await onSave(content);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void save();
    } else if (e.key === 'Escape') onCancel();
  }

  return (
    <div className="editor">
      <textarea
        data-testid="message-edit-input"
        aria-label="Edit message"
        autoFocus
        maxLength={LIMITS.contentMax}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="row small">
        <button className="primary" data-testid="message-edit-save" disabled={busy || !text.trim()} onClick={() => void save()}>
          Save
        </button>
        <button onClick={onCancel}>Cancel</button>
        <span className="muted">Enter to save · Esc to cancel</span>
      </div>
      {error && <p className="error">{error}</p>}
    </div>
  );
}
