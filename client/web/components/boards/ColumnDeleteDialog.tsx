import { useState } from 'react';
import type { Column } from '../../../index.ts';
import { useModal } from '../../hooks/useModal.ts';
import type { ShownColumn } from '../../lib/board.ts';

interface Props {
  column: ShownColumn;
  /** The board's other columns, where its cards can go. */
  others: Column[];
  /** Deletes it, moving its cards to `moveTo`; resolves to an error text or null when done. */
  onConfirm(moveTo: string | undefined): Promise<string | null>;
  onClose(): void;
}

/** Deleting a column asks first, and where its cards should go when it has any. */
export function ColumnDeleteDialog({ column, others, onConfirm, onClose }: Props) {
  const { props: dialogProps, close, busy, error, run } = useModal(onClose);
  const [moveTo, setMoveTo] = useState(others[0]?.id ?? '');
  const cards = column.cards.length;
  const confirm = () => run(() => onConfirm(cards ? moveTo : undefined));

  return (
    <dialog {...dialogProps} data-testid="column-delete-dialog" aria-labelledby="column-delete-title">
      <div className="dialog-body">
        <h2 id="column-delete-title">Delete the column “{column.name}”?</h2>
        {cards === 0 ? (
          <p>It has no cards.</p>
        ) : others.length ? (
          <label>
            Its {cards === 1 ? 'card goes' : `${cards} cards go`} to the end of
            <select data-testid="column-delete-target" value={moveTo} onChange={(e) => setMoveTo(e.target.value)}>
              {others.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p>It is the only column and has cards: delete or move them first.</p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="column-delete-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <span className="grow-space" />
          <button onClick={close}>Cancel</button>
          <button
            className="danger"
            data-testid="column-delete-confirm"
            autoFocus
            disabled={busy || (cards > 0 && !others.length)}
            onClick={() => void confirm()}
          >
            Delete column
          </button>
        </div>
      </div>
    </dialog>
  );
}
