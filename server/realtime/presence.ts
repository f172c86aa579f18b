/**
 * Who is present where, counted per user across all their connections (and, with Redis, across
 * nodes). Scopes: `global` (any authenticated connection) and a channel stream key (a
 * subscription to that channel). Transitions are returned so the caller announces them once.
 */
export interface Presence {
  /** Adds a connection; true when the user was not present in the scope before. */
  join(scope: string, who: Who, connId: string): Promise<boolean>;
  /** Removes a connection; true when it was the user's last one in the scope. */
  leave(scope: string, who: Who, connId: string): Promise<boolean>;
  /** Users present in the scope. */
  members(scope: string): Promise<string[]>;
  /** Which of `userIds` are present in the scope. */
  present(scope: string, userIds: string[]): Promise<Set<string>>;
  /** Called when a user's entries vanished without a leave (their node died); the caller announces it. */
  onExpired(listener: (scope: string, who: Who) => void): () => void;
  close(): Promise<void>;
}

/** A present user: presence events carry the username, so it travels with the id. */
export interface Who {
  id: string;
  username: string;
}

export const GLOBAL_SCOPE = 'global';

/** Single-process presence; the default without Redis. */
export function createMemoryPresence(): Presence {
  const scopes = new Map<string, Map<string, Set<string>>>();
  return {
    async join(scope, { id: userId }, connId) {
      let users = scopes.get(scope);
      if (!users) scopes.set(scope, (users = new Map()));
      let conns = users.get(userId);
      const first = !conns;
      if (!conns) users.set(userId, (conns = new Set()));
      conns.add(connId);
      return first;
    },
    async leave(scope, { id: userId }, connId) {
      const users = scopes.get(scope);
      const conns = users?.get(userId);
      if (!users || !conns || !conns.delete(connId)) return false;
      if (conns.size) return false;
      users.delete(userId);
      if (!users.size) scopes.delete(scope);
      return true;
    },
    async members(scope) {
      return [...(scopes.get(scope)?.keys() ?? [])];
    },
    async present(scope, userIds) {
      const users = scopes.get(scope);
      return new Set(userIds.filter((id) => users?.has(id)));
    },
    onExpired: () => () => {},
    async close() {
      scopes.clear();
    },
  };
}
