import { z } from 'zod';
import { Timestamp, Uuid } from './entities.ts';
import { EventId, Name, Text } from './inputs.ts';
import { LIMITS } from './limits.ts';
import { DueAt, ExpectedVersion, TaskNotes, TaskTitle } from './tasks.ts';

/** Kanban boards: entities, procedure inputs and stream events (CONTRACT.md "Kanban boards"). */

export const Board = z.object({ id: Uuid, group_id: Uuid, name: z.string(), created_by: Uuid, created_at: Timestamp });
export type Board = z.infer<typeof Board>;

export const Column = z.object({ id: Uuid, board_id: Uuid, name: z.string(), position: z.string() });
export type Column = z.infer<typeof Column>;

export const Card = z.object({
  id: Uuid,
  board_id: Uuid,
  column_id: Uuid,
  title: z.string(),
  description: z.string(),
  assignee_id: Uuid.nullable(),
  due_at: Timestamp.nullable(),
  labels: z.array(z.string()),
  /** Opaque order key within the column: sorting by it (code-unit order) is the display order. */
  position: z.string(),
  version: z.number().int(),
  created_by: Uuid,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Card = z.infer<typeof Card>;

/** A board with its columns and cards, both in display order (cards by column, then position). */
export const BoardDetail = Board.extend({ columns: z.array(Column), cards: z.array(Card) });
export type BoardDetail = z.infer<typeof BoardDetail>;

export const Label = Text().trim().min(LIMITS.labelMin).max(LIMITS.labelMax);
export const Labels = z.array(Label).max(LIMITS.labelsMax);

export const BoardIdInput = z.object({ board_id: Uuid });
export const CreateBoardInput = z.object({ group_id: Uuid, name: Name, columns: z.array(Name).max(LIMITS.columnsPerBoard).optional() });
export const RenameBoardInput = z.object({ board_id: Uuid, name: Name });
export const AddColumnInput = z.object({ board_id: Uuid, name: Name });
export const UpdateColumnInput = z.object({ column_id: Uuid, name: Name });
export const MoveColumnInput = z.object({ column_id: Uuid, after_id: Uuid.nullable().optional() });
export const DeleteColumnInput = z.object({ column_id: Uuid, move_cards_to: Uuid.optional() });
export const CreateCardInput = z.object({
  column_id: Uuid,
  title: TaskTitle,
  description: TaskNotes.optional(),
  assignee_id: Uuid.optional(),
  due_at: DueAt.optional(),
  labels: Labels.optional(),
});
export const UpdateCardInput = z.object({
  card_id: Uuid,
  title: TaskTitle.optional(),
  description: TaskNotes.optional(),
  assignee_id: Uuid.nullable().optional(),
  due_at: DueAt.nullable().optional(),
  labels: Labels.optional(),
  expected_version: ExpectedVersion.optional(),
});
export const MoveCardInput = z.object({
  card_id: Uuid,
  column_id: Uuid,
  after_id: Uuid.nullable().optional(),
  expected_version: ExpectedVersion.optional(),
});
export const CardIdInput = z.object({ card_id: Uuid });
export const BoardStreamInput = z.object({ board_id: Uuid, last_event_id: EventId.optional(), lastEventId: EventId.nullish() });

const columnEvent = <T extends string>(type: T) => z.object({ type: z.literal(type), column: Column });
const cardEvent = <T extends string>(type: T) => z.object({ type: z.literal(type), card: Card });
/** Durable events of `realtime.board`, tracked with the board stream's sequence. */
export const BoardStreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('board_updated'), board: Board }),
  columnEvent('column_created'),
  columnEvent('column_updated'),
  columnEvent('column_moved'),
  z.object({ type: z.literal('column_deleted'), id: Uuid, board_id: Uuid }),
  cardEvent('card_created'),
  cardEvent('card_updated'),
  cardEvent('card_moved'),
  z.object({ type: z.literal('card_deleted'), id: Uuid, board_id: Uuid, column_id: Uuid }),
  z.object({ type: z.literal('resync_required'), latest_seq: z.number().int() }),
]);
export type BoardStreamEvent = z.infer<typeof BoardStreamEvent>;

/** What `realtime.me` gains for boards. */
export const BoardMeEvents = [
  z.object({ type: z.literal('card_assigned'), card: Card, group_id: Uuid }),
  z.object({ type: z.literal('board_created'), board: Board, group_id: Uuid }),
  z.object({ type: z.literal('board_deleted'), board_id: Uuid, group_id: Uuid }),
] as const;
