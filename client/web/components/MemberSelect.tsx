import type { Member } from '../../index.ts';

interface Props {
  members: Member[];
  value: string | null;
  onChange(userId: string | null): void;
  /** The list may be stale (someone joined): read it again. */
  onOpen(): void;
  label: string;
  testId: string;
  className?: string;
}

/** Picks an assignee among the group's members (or nobody). */
export function MemberSelect({ members, value, onChange, onOpen, label, testId, className }: Props) {
  const unknown = value && !members.some((m) => m.user.id === value);
  return (
    <select
      className={className}
      aria-label={label}
      data-testid={testId}
      value={value ?? ''}
      onFocus={onOpen}
      onPointerDown={onOpen}
      onChange={(e) => onChange(e.target.value || null)}
    >
      <option value="">Unassigned</option>
      {members.map((m) => (
        <option key={m.user.id} value={m.user.id}>
          {m.user.username}
        </option>
      ))}
      {unknown && <option value={value}>someone</option>}
    </select>
  );
}
