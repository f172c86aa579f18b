import type { Conversation as DmConversation, DirectMessage, ParleyClient, User } from '../../index.ts';

/** One DM conversation in the sidebar. */
export interface DmThread {
  partner: { id: string; username: string; display_name?: string };
  last: DirectMessage | null;
  unread: number;
}

/**
 * The DM list. The server is the source of truth (`dms.conversations`: partner names, last message,
 * unread counts), so a fresh device shows names, not ids. Live `dm_message` events update the
 * preview at once and trigger a (coalesced) refetch for the counts.
 */
export class Inbox {
  private threads = new Map<string, DmThread>();
  private snapshot: DmThread[] = [];
  private listeners = new Set<() => void>();
  private openPartner: string | null = null;
  private loaded = false;

  constructor(
    private readonly api: ParleyClient,
    private readonly me: User,
  ) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Threads, most recent first. */
  getThreads = () => this.snapshot;

  isLoaded = () => this.loaded;

  username(userId: string): string | null {
    return this.threads.get(userId)?.partner.username ?? null;
  }

  /** Refetches the list from the server. */
  async refresh(): Promise<void> {
    const list: DmConversation[] = await this.api.dms.conversations.query();
    const next = new Map<string, DmThread>();
    for (const c of list) {
      const open = this.openPartner === c.user.id;
      next.set(c.user.id, { partner: c.user, last: c.last_message, unread: open ? 0 : c.unread_count });
    }
    // Threads opened locally but without messages yet stay listed.
    for (const [id, t] of this.threads) if (!next.has(id) && !t.last) next.set(id, t);
    this.threads = next;
    this.loaded = true;
    this.emit();
  }

  /** Adds (or keeps) a thread with `user`, e.g. after looking them up by username. */
  remember(user: { id: string; username: string }) {
    if (!this.threads.has(user.id)) this.threads.set(user.id, { partner: user, last: null, unread: 0 });
    this.emit();
  }

  /** The open conversation's messages count as read as they arrive. */
  setOpen(partnerId: string | null) {
    this.openPartner = partnerId;
    const thread = partnerId ? this.threads.get(partnerId) : null;
    if (thread?.unread) {
      this.threads.set(partnerId!, { ...thread, unread: 0 });
      this.emit();
    }
  }

  /** A live `dm_message` from the caller's stream; returns whether the list should be refetched. */
  add(dm: DirectMessage): boolean {
    const mine = dm.sender_id === this.me.id;
    const partnerId = mine ? dm.recipient_id : dm.sender_id;
    const prev = this.threads.get(partnerId);
    if (!prev) return true; // a new partner: the server knows their name
    if (prev.last && prev.last.seq >= dm.seq) return false;
    const unread = !mine && this.openPartner !== partnerId ? prev.unread + 1 : prev.unread;
    this.threads.set(partnerId, { ...prev, last: dm, unread });
    this.emit();
    return false;
  }

  private emit() {
    const time = (t: DmThread) => (t.last ? Date.parse(t.last.created_at) : Number.MAX_SAFE_INTEGER);
    this.snapshot = [...this.threads.values()].sort((a, b) => time(b) - time(a));
    for (const l of this.listeners) l();
  }
}
