import { useEffect, useMemo, useState } from 'react';
import { streamHandlers, type BoardStreamEvent, type Card, type Column } from '../../../index.ts';
import { useDragOrder } from '../../hooks/useDragOrder.ts';
import { useLiveSpace } from '../../hooks/useLiveSpace.ts';
import { useMembers } from '../../hooks/useMembers.ts';
import { errorCode, failureText, usePending } from '../../hooks/usePending.ts';
import { applyBoardEvent, boardData, showBoard, type BoardData, type BoardOp } from '../../lib/board.ts';
import { upsertNewer } from '../../lib/versions.ts';
import { afterIdAt } from '../../lib/order.ts';
import { InlineForm } from '../InlineForm.tsx';
import { SpaceHeader } from '../SpaceHeader.tsx';
import type { SpaceProps } from '../space-props.ts';
import { BoardColumn } from './BoardColumn.tsx';
import { CardDialog, type CardFields } from './CardDialog.tsx';
import { ColumnDeleteDialog } from './ColumnDeleteDialog.tsx';

type Dir = 'up' | 'down' | 'left' | 'right';

/** A Kanban board, live: columns side by side, cards in order, moved by drag and drop or Alt+arrows. */
export function BoardView({ api, me, group, members, id, onGone }: SpaceProps) {
  const live = useLiveSpace<BoardData, BoardStreamEvent>(
    {
      load: async () => boardData(await api.boards.get.query({ board_id: id })),
      subscribe: (handlers) => {
        const sub = api.realtime.board.subscribe({ board_id: id }, streamHandlers(handlers));
        return () => sub.unsubscribe();
      },
      apply: applyBoardEvent,
    },
    id,
    onGone,
  );
  const pending = usePending<BoardOp>();
  const people = useMembers(api, group.id, members);
  const [openCard, setOpenCard] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [focusCard, setFocusCard] = useState<string | null>(null);
  const data = live.data;
  const columns = useMemo(() => (data ? showBoard(data, pending.ops) : []), [data, pending.ops]);
  const manager = group.my_role === 'owner' || group.my_role === 'admin';

  const putCard = (card: Card) => live.setData((d) => d && { ...d, cards: upsertNewer(d.cards, card) });
  const putColumn = (column: Column) => live.setData((d) => d && { ...d, columns: upsertNewer(d.columns, column) });
  const dropCard = (cardId: string) => live.setData((d) => d && { ...d, cards: d.cards.filter((c) => c.id !== cardId) });

  useEffect(() => {
    if (data?.cards.some((c) => !people.known(c.assignee_id))) people.refresh();
  }, [data]);
  // The card someone else deleted while it was open here.
  useEffect(() => {
    const mine = pending.ops.some((o) => o.kind === 'delete-card' && o.cardId === openCard);
    if (openCard && data && !mine && !data.cards.some((c) => c.id === openCard)) {
      setOpenCard(null);
      setNotice('The card you had open was deleted by someone else.');
    }
  }, [data, openCard, pending.ops]);
  // A card moved with the keyboard keeps the focus in its new place.
  useEffect(() => {
    if (focusCard) document.querySelector<HTMLElement>(`[data-drag-item="${focusCard}"] .kcard`)?.focus();
  }, [columns, focusCard]);

  function moveCard(cardId: string, columnId: string, index: number) {
    const from = columns.find((c) => c.cards.some((x) => x.id === cardId));
    const to = columns.find((c) => c.id === columnId);
    if (!from || !to) return;
    const card = from.cards.find((x) => x.id === cardId)!;
    const afterId = afterIdAt(to.cards, cardId, index);
    if (from.id === to.id && afterId === afterIdAt(from.cards, cardId, from.cards.indexOf(card))) return;
    const rest = to.cards.filter((x) => x.id !== cardId);
    const at = afterId === null ? 1 : rest.findIndex((x) => x.id === afterId) + 2;
    setStatus(`Moved “${card.title}” to ${to.name}, position ${at} of ${rest.length + 1}.`);
    void pending.run({
      op: { kind: 'move-card', cardId, columnId, afterId },
      item: card,
      send: (v) => api.cards.move.mutate({ card_id: cardId, column_id: columnId, after_id: afterId, expected_version: v }),
      done: putCard,
      what: `move “${card.title}”`,
    });
  }

  function moveColumn(columnId: string, index: number) {
    const column = columns.find((c) => c.id === columnId);
    if (!column) return;
    const afterId = afterIdAt(columns, columnId, index);
    if (afterId === afterIdAt(columns, columnId, columns.indexOf(column))) return;
    setStatus(`Moved the column ${column.name} to position ${Math.min(index, columns.length - 1) + 1} of ${columns.length}.`);
    void pending.run({
      op: { kind: 'move-column', columnId, afterId },
      send: () => api.boards.moveColumn.mutate({ column_id: columnId, after_id: afterId }),
      done: putColumn,
      what: `move the column “${column.name}”`,
    });
  }

  function stepCard(card: Card, dir: Dir) {
    const ci = columns.findIndex((c) => c.id === card.column_id);
    const column = columns[ci];
    if (!column) return;
    const i = column.cards.findIndex((c) => c.id === card.id);
    setFocusCard(card.id);
    if (dir === 'up' && i > 0) moveCard(card.id, column.id, i - 1);
    if (dir === 'down' && i < column.cards.length - 1) moveCard(card.id, column.id, i + 1);
    const side = columns[ci + (dir === 'left' ? -1 : 1)];
    if ((dir === 'left' || dir === 'right') && side) moveCard(card.id, side.id, Math.min(i, side.cards.length));
  }

  const drag = useDragOrder({ dropItem: moveCard, dropLane: moveColumn });

  /** A write from a dialog: resolves to the failure in words, or null. */
  const fromDialog = <R,>(write: Omit<Parameters<typeof pending.run<R>>[0], 'fail'>, conflict?: string) =>
    new Promise<string | null>((resolve) => {
      void pending.run<R>({
        ...write,
        done: (r) => {
          write.done?.(r);
          resolve(null);
        },
        fail: (text, err) => resolve(conflict && errorCode(err) === 'CONFLICT' ? conflict : text),
      });
    });

  if (!data)
    return (
      <div className="empty" data-testid="board-loading">
        {live.error ? <p className="error">{live.error}</p> : <p>Loading the board…</p>}
      </div>
    );

  const all = columns.flatMap((c) => c.cards);
  const open = openCard ? (all.find((c) => c.id === openCard) ?? data.cards.find((c) => c.id === openCard)) : undefined;
  const dropBeforeColumn = drag.laneDropBefore(columns);
  const deletingColumn = columns.find((c) => c.id === deleting);
  const message = pending.error ?? live.error ?? notice;

  return (
    <section className="space board-view" data-testid="board" aria-label={`Board ${data.board.name}`}>
      <SpaceHeader
        icon="▦"
        what="board"
        name={data.board.name}
        canDelete={manager || data.board.created_by === me.id}
        onRename={async (name) => {
          const board = await api.boards.rename.mutate({ board_id: id, name });
          live.setData((d) => d && { ...d, board });
        }}
        onDelete={async () => {
          await api.boards.delete.mutate({ board_id: id });
          onGone();
        }}
      />
      {message && (
        <p className="error banner space-banner" role="alert" data-testid="board-error">
          {message}{' '}
          <button
            className="link"
            onClick={() => {
              pending.clearError();
              setNotice(null);
              if (live.error) live.retry();
            }}
          >
            {live.error ? 'Try again' : 'Dismiss'}
          </button>
        </p>
      )}
      <div className="board-columns" data-testid="board-columns" {...drag.laneZone()}>
        {columns.map((column, index) => (
          <BoardColumn
            key={column.id}
            column={column}
            index={index}
            count={columns.length}
            members={people.members}
            drag={drag}
            dropBefore={dropBeforeColumn === column.id}
            canDelete={manager || data.board.created_by === me.id}
            onAddCard={async (title) => putCard(await api.cards.create.mutate({ column_id: column.id, title }))}
            onRename={async (name) => putColumn(await api.boards.updateColumn.mutate({ column_id: column.id, name }))}
            onMove={(to) => moveColumn(column.id, to)}
            onDelete={() => setDeleting(column.id)}
            onOpenCard={(card) => setOpenCard(card.id)}
            onStepCard={stepCard}
          />
        ))}
        <div className="add-column">
          {dropBeforeColumn === 'end' && <span className="drop-line vertical" data-testid="drop-indicator" aria-hidden="true" />}
          <InlineForm
            testId="column-create"
            placeholder="New column name"
            button="Add column"
            onSubmit={async (name) => putColumn(await api.boards.addColumn.mutate({ board_id: id, name }))}
          />
        </div>
      </div>
      <p id="board-keys" className="sr-only">
        Enter opens the card; Alt and the arrow keys move it.
      </p>
      <p id="column-keys" className="sr-only">
        Alt and the left or right arrow key moves the column.
      </p>
      <p className="sr-only" role="status" data-testid="board-status">
        {status}
      </p>
      {open && (
        <CardDialog
          key={open.id}
          card={open}
          columns={columns}
          members={people.members}
          onMembersOpen={people.refresh}
          canDelete={manager || open.created_by === me.id}
          onSave={(fields: CardFields, version) =>
            fromDialog(
              {
                item: { id: open.id, version },
                send: (v) => api.cards.update.mutate({ card_id: open.id, ...fields, expected_version: v }),
                done: putCard,
                what: 'save the card',
              },
              'Not saved: someone else changed this card meanwhile. Look at their changes (“Show their version”), or press Save again to put yours over them.',
            )
          }
          onMove={(columnId) => moveCard(open.id, columnId, columns.find((c) => c.id === columnId)?.cards.length ?? 0)}
          onDelete={() =>
            fromDialog({
              op: { kind: 'delete-card', cardId: open.id },
              send: () => api.cards.delete.mutate({ card_id: open.id }),
              done: () => {
                setOpenCard(null);
                dropCard(open.id);
              },
              what: 'delete the card',
            })
          }
          onClose={() => setOpenCard(null)}
        />
      )}
      {deletingColumn && (
        <ColumnDeleteDialog
          column={deletingColumn}
          others={columns.filter((c) => c.id !== deletingColumn.id)}
          onConfirm={(moveTo) =>
            api.boards.deleteColumn.mutate({ column_id: deletingColumn.id, ...(moveTo ? { move_cards_to: moveTo } : {}) }).then(
              () => {
                live.setData((d) => d && { ...d, columns: d.columns.filter((c) => c.id !== deletingColumn.id) });
                return null;
              },
              (err) => failureText(err, 'delete the column'),
            )
          }
          onClose={() => setDeleting(null)}
        />
      )}
    </section>
  );
}
