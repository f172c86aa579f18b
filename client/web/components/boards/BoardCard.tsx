import type { KeyboardEvent } from 'react';
import type { Card, Member } from '../../../index.ts';
import { memberName } from '../../hooks/useMembers.ts';
import { dueLabel, isOverdue } from '../../lib/dates.ts';
import { Labels } from './Labels.tsx';

interface Props {
  card: Card;
  members: Member[];
  dragProps: object;
  dimmed: boolean;
  /** The drop indicator sits right above this card. */
  dropBefore: boolean;
  onOpen(): void;
  /** Alt+arrow: move by one place (up/down) or one column (left/right). */
  onStep(dir: 'up' | 'down' | 'left' | 'right'): void;
}

const KEYS: Record<string, 'up' | 'down' | 'left' | 'right'> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

/** One card in a column: its title, labels, assignee and due date; a click opens it, Alt+arrows move it. */
export function BoardCard({ card, members, dragProps, dimmed, dropBefore, onOpen, onStep }: Props) {
  const assignee = memberName(members, card.assignee_id);
  const overdue = isOverdue(card.due_at);
  const onKey = (e: KeyboardEvent) => {
    const dir = KEYS[e.key];
    if (e.altKey && dir) {
      e.preventDefault();
      e.stopPropagation(); // not the workspace's Alt+↑/↓ (next channel)
      onStep(dir);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen();
    }
  };
  return (
    <li className="kcard-slot" data-drag-item={card.id}>
      {dropBefore && <span className="drop-line" data-testid="drop-indicator" aria-hidden="true" />}
      <div
        className={dimmed ? 'kcard dragging' : 'kcard'}
        role="button"
        tabIndex={0}
        data-testid="board-card"
        data-title={card.title}
        aria-describedby="board-keys"
        onClick={onOpen}
        onKeyDown={onKey}
        {...dragProps}
      >
        <Labels labels={card.labels} />
        <span className="kcard-title">{card.title}</span>
        {(assignee || card.due_at || card.description) && (
          <span className="kcard-meta">
            {card.description && (
              <span title="Has a description" aria-label="Has a description">
                ≡
              </span>
            )}
            {card.due_at && (
              <span className={overdue ? 'due overdue' : 'due'} data-testid="card-due">
                {overdue ? 'Overdue: ' : 'Due '}
                {dueLabel(card.due_at)}
              </span>
            )}
            {assignee && (
              <span className="assignee" data-testid="card-assignee">
                <span className="avatar round" aria-hidden="true">
                  {assignee[0]!.toUpperCase()}
                </span>
                {assignee}
              </span>
            )}
          </span>
        )}
      </div>
    </li>
  );
}
