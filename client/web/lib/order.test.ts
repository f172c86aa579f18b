import { describe, expect, test } from 'bun:test';
import { dueFromInput, dueInputValue, dueLabel, isOverdue } from './dates.ts';
import { afterIdAt, placeAfter, sortByPosition, stepAfterId } from './order.ts';
import { VersionChain } from './versions.ts';

const items = (...ids: string[]) => ids.map((id) => ({ id }));
const ids = (list: { id: string }[]) => list.map((i) => i.id);

describe('position order', () => {
  test('is code-unit order, not the locale order', () => {
    const sorted = sortByPosition([
      { id: '1', position: 'a0' },
      { id: '2', position: 'Zz' },
      { id: '3', position: 'a0V' },
      { id: '4', position: 'A' },
    ]);
    // localeCompare would put a0 before Zz and A next to a0.
    expect(ids(sorted)).toEqual(['4', '2', '1', '3']);
  });

  test('ties (never sent by the server) still sort the same everywhere, by id', () => {
    expect(
      ids(
        sortByPosition([
          { id: 'b', position: 'a1' },
          { id: 'a', position: 'a1' },
        ]),
      ),
    ).toEqual(['a', 'b']);
  });
});

describe('placing and stepping', () => {
  const list = items('a', 'b', 'c', 'd');

  test('placeAfter moves an item, puts it first on null and last when the anchor is gone', () => {
    expect(ids(placeAfter(list, { id: 'a' }, 'c'))).toEqual(['b', 'c', 'a', 'd']);
    expect(ids(placeAfter(list, { id: 'd' }, null))).toEqual(['d', 'a', 'b', 'c']);
    expect(ids(placeAfter(list, { id: 'b' }, 'gone'))).toEqual(['a', 'c', 'd', 'b']);
    expect(ids(placeAfter(list, { id: 'x' }, 'a'))).toEqual(['a', 'x', 'b', 'c', 'd']);
  });

  test('afterIdAt counts places without the moved item', () => {
    expect(afterIdAt(list, 'a', 0)).toBeNull();
    expect(afterIdAt(list, 'a', 2)).toBe('c'); // b, c, [a], d
    expect(afterIdAt(list, 'd', 1)).toBe('a');
    expect(afterIdAt(list, 'x', 9)).toBe('d'); // from elsewhere, clamped to the end
    expect(afterIdAt([], 'x', 3)).toBeNull();
  });

  test('a step up or down skips hidden items in the full list', () => {
    const shown = items('a', 'c', 'd'); // b is hidden (done)
    expect(stepAfterId(list, shown, 'c', -1)).toBeNull(); // before a: first
    expect(stepAfterId(list, shown, 'd', -1)).toBe('b'); // before c: after b
    expect(stepAfterId(list, shown, 'a', 1)).toBe('c');
    expect(stepAfterId(list, shown, 'a', -1)).toBeUndefined();
    expect(stepAfterId(list, shown, 'd', 1)).toBeUndefined();
  });
});

describe('expected versions', () => {
  test('my queued writes chain on my own versions; a change by someone else stays a conflict', () => {
    const chain = new VersionChain();
    expect(chain.expected('t', 3)).toBe(3);
    chain.confirm('t', 3, 4); // my first write, made on 3
    expect(chain.expected('t', 3)).toBe(4); // a second one, also made on what I saw (3)
    chain.confirm('t', 4, 5);
    expect(chain.expected('t', 3)).toBe(5);
    expect(chain.expected('t', 4)).toBe(5); // made after the first reply showed 4
    expect(chain.expected('t', 6)).toBe(6); // someone else wrote 6: nothing of mine to follow
    expect(chain.expected('other', 3)).toBe(3);
  });
});

describe('due dates', () => {
  test('a picked day round-trips through the ISO timestamp, at the end of that day', () => {
    const iso = dueFromInput('2031-03-05')!;
    expect(dueInputValue(iso)).toBe('2031-03-05');
    const d = new Date(iso);
    expect([d.getHours(), d.getMinutes()]).toEqual([23, 59]);
    expect(dueFromInput('')).toBeNull();
    expect(dueInputValue(null)).toBe('');
  });

  test('overdue means past due and not done', () => {
    const now = Date.parse('2030-01-02T12:00:00Z');
    expect(isOverdue('2030-01-01T00:00:00Z', false, now)).toBe(true);
    expect(isOverdue('2030-01-01T00:00:00Z', true, now)).toBe(false);
    expect(isOverdue('2030-01-03T00:00:00Z', false, now)).toBe(false);
    expect(isOverdue(null, false, now)).toBe(false);
  });

  test('labels are relative near today', () => {
    const now = new Date(2030, 5, 10, 9);
    expect(dueLabel(new Date(2030, 5, 10, 23).toISOString(), now)).toBe('Today');
    expect(dueLabel(new Date(2030, 5, 11, 23).toISOString(), now)).toBe('Tomorrow');
    expect(dueLabel(new Date(2030, 5, 9, 23).toISOString(), now)).toBe('Yesterday');
    expect(dueLabel(new Date(2031, 0, 2).toISOString(), now)).toContain('2031');
  });
});
