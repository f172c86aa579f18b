import { useRef, useState, type DragEvent } from 'react';

/**
 * What is being dragged: an item (a card, a task) or a lane (a board's column), and where it
 * would land: an index among the others, the dragged one left out.
 */
export type Dragging = { kind: 'item' | 'lane'; id: string };
export type DropTarget = { kind: 'item'; lane: string; index: number } | { kind: 'lane'; index: number };

interface Handlers {
  dropItem(id: string, lane: string, index: number): void;
  dropLane?(id: string, index: number): void;
}

/** Items carry `data-drag-item={id}`, lanes `data-drag-lane={id}`: the elements whose middles the pointer is measured against. */
const ATTR = { item: 'data-drag-item', lane: 'data-drag-lane' } as const;

/** How many of `zone`'s items or lanes (the dragged one left out) lie before the pointer. */
function indexAt(zone: Element, kind: 'item' | 'lane', skip: string, pointer: number): number {
  let index = 0;
  for (const el of zone.querySelectorAll<HTMLElement>(`[${ATTR[kind]}]`)) {
    if (el.getAttribute(ATTR[kind]) === skip) continue;
    const r = el.getBoundingClientRect();
    if ((kind === 'item' ? r.top + r.height / 2 : r.left + r.width / 2) < pointer) index++;
  }
  return index;
}

const sameTarget = (a: DropTarget | null, b: DropTarget) =>
  !!a && a.kind === b.kind && a.index === b.index && (a.kind === 'lane' || (b.kind === 'item' && a.lane === b.lane));

/**
 * HTML5 drag and drop to reorder items (within and across lanes) and lanes, with the drop place
 * kept in state for an indicator. The views turn the index into an `after_id`.
 */
export function useDragOrder(handlers: Handlers) {
  const [dragging, setDragging] = useState<Dragging | null>(null);
  const [target, setTarget] = useState<DropTarget | null>(null);
  // Read in dragover, which may come before React has rendered the state.
  const current = useRef<Dragging | null>(null);
  const targetRef = useRef<DropTarget | null>(null);

  const aim = (next: DropTarget | null) => {
    if (next && sameTarget(targetRef.current, next)) return;
    targetRef.current = next;
    setTarget(next);
  };
  const end = () => {
    current.current = null;
    setDragging(null);
    aim(null);
  };
  const start = (e: DragEvent<HTMLElement>, what: Dragging, label: string) => {
    e.stopPropagation();
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData(`application/x-parley-${what.kind}`, what.id);
    e.dataTransfer.setData('text/plain', label);
    // Dragged by a handle: the picture is the whole item.
    const whole = e.currentTarget.closest(`[${ATTR[what.kind]}]`);
    if (whole && whole !== e.currentTarget) e.dataTransfer.setDragImage(whole, 16, 16);
    current.current = what;
    setDragging(what);
  };
  const zone = (kind: 'item' | 'lane', lane: string) => ({
    onDragOver(e: DragEvent<HTMLElement>) {
      const d = current.current;
      if (d?.kind !== kind) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      const index = indexAt(e.currentTarget, kind, d.id, kind === 'item' ? e.clientY : e.clientX);
      aim(kind === 'item' ? { kind, lane, index } : { kind, index });
    },
    onDrop(e: DragEvent) {
      const d = current.current;
      const t = targetRef.current;
      if (d?.kind !== kind) return;
      e.preventDefault();
      end();
      if (t?.kind === 'item') handlers.dropItem(d.id, t.lane, t.index);
      else if (t?.kind === 'lane') handlers.dropLane?.(d.id, t.index);
    },
    onDragLeave(e: DragEvent<HTMLElement>) {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null) && targetRef.current?.kind === kind) aim(null);
    },
  });

  return {
    dragging,
    target,
    /** On what is grabbed to drag an item (the item itself, or its handle). */
    item: (id: string, label: string) => ({
      draggable: true,
      onDragStart: (e: DragEvent<HTMLElement>) => start(e, { kind: 'item', id }, label),
      onDragEnd: end,
    }),
    /** On what is grabbed to drag a lane. */
    lane: (id: string, label: string) => ({
      draggable: true,
      onDragStart: (e: DragEvent<HTMLElement>) => start(e, { kind: 'lane', id }, label),
      onDragEnd: end,
    }),
    /** On a lane (or a plain list): where an item would land in it. */
    itemZone: (lane: string) => zone('item', lane),
    /** On the row of lanes. */
    laneZone: () => zone('lane', ''),
    /** Where the indicator goes in `lane`: before the item with this id, at the 'end', or nowhere (null). */
    itemDropBefore(lane: string, items: readonly { id: string }[]): string | null {
      const t = target;
      if (t?.kind !== 'item' || t.lane !== lane) return null;
      return items.filter((i) => i.id !== dragging?.id)[t.index]?.id ?? 'end';
    },
    laneDropBefore(lanes: readonly { id: string }[]): string | null {
      if (target?.kind !== 'lane') return null;
      return lanes.filter((l) => l.id !== dragging?.id)[target.index]?.id ?? 'end';
    },
  };
}

export type DragOrder = ReturnType<typeof useDragOrder>;
