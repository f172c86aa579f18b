import type { DirectMessage, User } from '../../index.ts';

/** One DM conversation in the sidebar. */
export interface DmThread {
  partner: { id: string; username: string };
  last: DirectMessage | null;
  unread: number;
}

/**
 * The DM list, built from `dm_message` events on the caller's own stream (there is no
 * conversations query yet). Read positions and partner names live in localStorage so unread
 * badges and names survive a reload.
 */
export class Inbox {
  private threads = new Map<string, DmThread>();
  private seen = new Set<string>();
  private snapshot: DmThread[] = [];
  private listeners = new Set<() => void>();
  private openPartner: string | null = null;
  private readonly readKey: string;
  private readonly namesKey = 'parley.usernames';

  constructor(private readonly me: User) {
    this.readKey = `parley.read.${me.id}`;
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Threads, most recent first. */
  getThreads = () => this.snapshot;

  /** A partner's username if it was ever seen on this device. */
  username(userId: string): string | null {
    return this.names()[userId] ?? null;
  }

  /** Adds (or keeps) a thread with `user`, e.g. after looking them up by username. */
  remember(user: { id: string; username: string }) {
    this.saveName(user.id, user.username);
    if (!this.threads.has(user.id)) this.threads.set(user.id, { partner: user, last: null, unread: 0 });
    this.emit();
  }

  /** The open conversation's messages are read as they arrive. */
  setOpen(partnerId: string | null) {
    this.openPartner = partnerId;
    const thread = partnerId ? this.threads.get(partnerId) : null;
    if (thread?.last) this.markRead(partnerId!, thread.last.seq);
  }

  markRead(partnerId: string, seq: number) {
    const read = this.reads();
    if ((read[partnerId] ?? -1) < seq) {
      read[partnerId] = seq;
      localStorage.setItem(this.readKey, JSON.stringify(read));
    }
    const thread = this.threads.get(partnerId);
    if (thread && thread.unread) {
      this.threads.set(partnerId, { ...thread, unread: 0 });
      this.emit();
    }
  }

  /** A `dm_message` from the caller's stream (replayed or live; duplicates are ignored). */
  add(dm: DirectMessage) {
    if (this.seen.has(dm.id)) return;
    this.seen.add(dm.id);
    const mine = dm.sender_id === this.me.id;
    const partnerId = mine ? dm.recipient_id : dm.sender_id;
    if (!mine) this.saveName(partnerId, dm.sender_username);
    const username = this.username(partnerId) ?? partnerId.slice(0, 8);
    const prev = this.threads.get(partnerId) ?? { partner: { id: partnerId, username }, last: null, unread: 0 };
    const isNewer = !prev.last || dm.seq > prev.last.seq;
    const readUpTo = this.reads()[partnerId] ?? -1;
    let unread = prev.unread;
    if (!mine && dm.seq > readUpTo) {
      if (this.openPartner === partnerId) this.markRead(partnerId, dm.seq);
      else unread += 1;
    }
    this.threads.set(partnerId, { partner: { id: partnerId, username }, last: isNewer ? dm : prev.last, unread });
    this.emit();
  }

  private emit() {
    const time = (t: DmThread) => (t.last ? Date.parse(t.last.created_at) : Number.MAX_SAFE_INTEGER);
    this.snapshot = [...this.threads.values()].sort((a, b) => time(b) - time(a));
    for (const l of this.listeners) l();
  }

  private reads(): Record<string, number> {
    return readJson(this.readKey);
  }

  private names(): Record<string, string> {
    return readJson(this.namesKey);
  }

  private saveName(id: string, username: string) {
    const names = this.names();
    if (names[id] === username) return;
    names[id] = username;
    localStorage.setItem(this.namesKey, JSON.stringify(names));
  }
}

function readJson(key: string): Record<string, never> {
  try {
    return JSON.parse(localStorage.getItem(key) ?? '{}') ?? {};
  } catch {
    return {};
  }
}
