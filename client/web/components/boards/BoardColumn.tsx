import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Card, Member } from '../../../index.ts';
import type { DragOrder } from '../../hooks/useDragOrder.ts';
import { errorText } from '../../lib/api.ts';
import type { ShownColumn } from '../../lib/board.ts';
import { InlineForm } from '../InlineForm.tsx';
import { BoardCard } from './BoardCard.tsx';

interface Props {
  column: ShownColumn;
  index: number;
  count: number;
  members: Member[];
  drag: DragOrder;
  /** The column drop indicator sits right before this column. */
  dropBefore: boolean;
  canDelete: boolean;
  onAddCard(title: string): Promise<unknown>;
  onRename(name: string): Promise<unknown>;
  /** Moves the column to `index` among the columns. */
  onMove(index: number): void;
  onDelete(): void;
  onOpenCard(card: Card): void;
  onStepCard(card: Card, dir: 'up' | 'down' | 'left' | 'right'): void;
}

/** A column: its name and actions (rename, move, delete), its cards in order, and a form for a new card. */
export function BoardColumn(props: Props) {
  const { column, index, count, members, drag, dropBefore: columnDrop, canDelete } = props;
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headingId = `column-${column.id}`;
  const dropBefore = drag.itemDropBefore(column.id, column.cards);

  async function rename(e: FormEvent) {
    e.preventDefault();
    const name = draft?.trim();
    if (!name || name === column.name) return setDraft(null);
    try {
      await props.onRename(name);
      setDraft(null);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  const onHeaderKey = (e: KeyboardEvent) => {
    if (!e.altKey || (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight')) return;
    e.preventDefault();
    e.stopPropagation();
    const to = index + (e.key === 'ArrowLeft' ? -1 : 1);
    if (to >= 0 && to < count) props.onMove(to);
  };

  const dragging = drag.dragging?.kind === 'lane' && drag.dragging.id === column.id;
  return (
    <section
      className={dragging ? 'kcolumn dragging' : 'kcolumn'}
      data-testid="board-column"
      data-drag-lane={column.id}
      data-name={column.name}
      aria-labelledby={headingId}
      {...drag.itemZone(column.id)}
    >
      {columnDrop && <span className="drop-line vertical" data-testid="drop-indicator" aria-hidden="true" />}
      <header className="kcolumn-header">
        {draft === null ? (
          <h3
            id={headingId}
            data-testid="column-name"
            tabIndex={0}
            aria-describedby="column-keys"
            onKeyDown={onHeaderKey}
            {...drag.lane(column.id, column.name)}
          >
            <span className="grip" aria-hidden="true">
              ⠿
            </span>
            {column.name}
            <span className="count" data-testid="column-count">
              {column.cards.length}
            </span>
          </h3>
        ) : (
          <form className="row" onSubmit={rename}>
            <input
              aria-label="Column name"
              data-testid="column-rename-input"
              value={draft}
              autoFocus
              maxLength={100}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => e.key === 'Escape' && setDraft(null)}
            />
            <button className="primary">Save</button>
          </form>
        )}
        <details className="menu">
          <summary data-testid="column-menu" aria-label={`Actions for column ${column.name}`}>
            ⋯
          </summary>
          <div className="menu-items" onClick={(e) => (e.currentTarget.parentElement as HTMLDetailsElement).removeAttribute('open')}>
            <button data-testid="column-rename" onClick={() => setDraft(column.name)}>
              Rename
            </button>
            <button data-testid="column-left" disabled={index === 0} onClick={() => props.onMove(index - 1)}>
              Move left
            </button>
            <button data-testid="column-right" disabled={index === count - 1} onClick={() => props.onMove(index + 1)}>
              Move right
            </button>
            {canDelete && (
              <button data-testid="column-delete" onClick={props.onDelete}>
                Delete…
              </button>
            )}
          </div>
        </details>
      </header>
      {error && <p className="error">{error}</p>}
      <ul className="kcards" aria-labelledby={headingId}>
        {column.cards.map((card) => (
          <BoardCard
            key={card.id}
            card={card}
            members={members}
            dragProps={drag.item(card.id, card.title)}
            dimmed={drag.dragging?.id === card.id}
            dropBefore={dropBefore === card.id}
            onOpen={() => props.onOpenCard(card)}
            onStep={(dir) => props.onStepCard(card, dir)}
          />
        ))}
        {dropBefore === 'end' && (
          <li className="kcard-slot end" aria-hidden="true">
            <span className="drop-line" data-testid="drop-indicator" />
          </li>
        )}
      </ul>
      <InlineForm testId="card-create" placeholder="Add a card" button="Add" onSubmit={props.onAddCard} />
    </section>
  );
}
