import type Redis from 'ioredis';
import { LIMITS } from '../../shared/limits.ts';
import type { Logger } from '../log.ts';
import { createMemoryPresence, type Presence, type Who } from '../realtime/presence.ts';

/** A node's liveness key lives half the contract's bound; it is renewed every third of it. */
const NODE_TTL_MS = (LIMITS.presenceTtlSeconds * 1000) / 2;
/** How often every node looks for dead nodes' entries: expiry plus one sweep stays within the bound. */
const SWEEP_EVERY_MS = NODE_TTL_MS / 3;

// Entries are `<userId>|<username>|<node>|<conn>` in one sorted set per scope (all scores 0),
// so a user's entries are one lexicographic range: "is anyone of this user here" is one lookup.
// Joining also registers the node (alive key and node list) in the same step, so no entry can
// exist for a node the sweepers do not know about (one that dies before its first heartbeat).
const JOIN = `
local before = #redis.call('ZRANGEBYLEX', KEYS[1], '[' .. ARGV[1] .. '|', '[' .. ARGV[1] .. '|\\255', 'LIMIT', 0, 1)
redis.call('ZADD', KEYS[1], 0, ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3] .. '\\n' .. ARGV[2])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[4], 'NX')
redis.call('SADD', KEYS[4], ARGV[5])
return before == 0 and 1 or 0`;

const LEAVE = `
local removed = redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('SREM', KEYS[2], ARGV[3] .. '\\n' .. ARGV[2])
local after = #redis.call('ZRANGEBYLEX', KEYS[1], '[' .. ARGV[1] .. '|', '[' .. ARGV[1] .. '|\\255', 'LIMIT', 0, 1)
return (removed == 1 and after == 0) and 1 or 0`;

/**
 * Cluster-wide presence. Each node heartbeats a liveness key and records which entries it
 * added; when a node dies without cleaning up, the first node to notice (under a lock) removes
 * its entries and reports the users who thereby went offline, so they are announced once.
 * While Redis is unreachable a node answers from its own connections and re-registers them
 * when Redis is back.
 */
export function createRedisPresence(opts: { redis: Redis; prefix: string; nodeId: string; log: Logger }): Presence {
  const { redis, prefix, nodeId, log } = opts;
  const scopeKey = (scope: string) => `${prefix}pres:${scope}`;
  const nodeEntries = (node: string) => `${prefix}pres:node:${node}`;
  const nodesKey = `${prefix}nodes`;
  const aliveKey = (node: string) => `${prefix}node:${node}`;
  const entry = (who: Who, connId: string) => `${who.id}|${who.username}|${nodeId}|${connId}`;
  const userOf = (member: string): Who => {
    const [id, username] = member.split('|');
    return { id: id!, username: username! };
  };
  const local = createMemoryPresence();
  const mine = new Map<string, Set<string>>();
  const expiredListeners = new Set<(scope: string, who: Who) => void>();

  async function heartbeat() {
    await redis.multi().set(aliveKey(nodeId), '1', 'PX', NODE_TTL_MS).sadd(nodesKey, nodeId).exec();
  }

  /** Puts this node's entries back after an outage (another node may have swept them meanwhile). */
  const join = (scope: string, userId: string, member: string) =>
    redis.eval(JOIN, 4, scopeKey(scope), nodeEntries(nodeId), aliveKey(nodeId), nodesKey, userId, member, scope, NODE_TTL_MS, nodeId);

  async function reregister() {
    await heartbeat();
    for (const [scope, members] of mine) {
      for (const member of members) await join(scope, member.split('|')[0]!, member);
    }
  }

  async function sweep() {
    for (const node of await redis.smembers(nodesKey)) {
      if (node === nodeId || (await redis.exists(aliveKey(node)))) continue;
      if ((await redis.set(`${prefix}sweep:${node}`, nodeId, 'PX', 60_000, 'NX')) !== 'OK') continue;
      for (const item of await redis.smembers(nodeEntries(node))) {
        const cut = item.indexOf('\n');
        const scope = item.slice(0, cut);
        const member = item.slice(cut + 1);
        const who = userOf(member);
        const gone = await redis.eval(LEAVE, 2, scopeKey(scope), nodeEntries(node), who.id, member, scope);
        if (gone === 1) for (const listener of [...expiredListeners]) listener(scope, who);
      }
      await redis.multi().del(nodeEntries(node)).srem(nodesKey, node).exec();
      log.info('swept presence of a dead node', { node });
    }
  }

  let down = false;
  redis.on('close', () => (down = true));
  redis.on('ready', () => {
    const after = down;
    down = false;
    const work = after ? reregister() : heartbeat();
    work.catch((error) => log.warn('presence registration failed', { error: error.message }));
  });
  // A beat fails only while Redis is down, which connection.ts reports once; the next beat (or
  // the re-registration on 'ready') repairs it, so a warning per beat would only be noise.
  const beat = () => void heartbeat().catch(() => {});
  beat();
  const timers = [
    setInterval(beat, NODE_TTL_MS / 3),
    setInterval(() => void sweep().catch((error) => log.warn('presence sweep failed', { error: error.message })), SWEEP_EVERY_MS),
  ];
  for (const t of timers) t.unref();

  const remember = (scope: string, member: string, add: boolean) => {
    let set = mine.get(scope);
    if (add) {
      if (!set) mine.set(scope, (set = new Set()));
      set.add(member);
    } else if (set) {
      set.delete(member);
      if (!set.size) mine.delete(scope);
    }
  };

  return {
    async join(scope, who, connId) {
      const member = entry(who, connId);
      remember(scope, member, true);
      const firstHere = await local.join(scope, who, connId);
      try {
        return (await join(scope, who.id, member)) === 1;
      } catch {
        return firstHere;
      }
    },
    async leave(scope, who, connId) {
      const member = entry(who, connId);
      remember(scope, member, false);
      const lastHere = await local.leave(scope, who, connId);
      try {
        return (await redis.eval(LEAVE, 2, scopeKey(scope), nodeEntries(nodeId), who.id, member, scope)) === 1;
      } catch {
        return lastHere;
      }
    },
    async members(scope) {
      try {
        return [...new Set((await redis.zrange(scopeKey(scope), '0', '-1')).map((m) => userOf(m).id))];
      } catch {
        return local.members(scope);
      }
    },
    async present(scope, userIds) {
      try {
        const pipe = redis.pipeline();
        for (const id of userIds) pipe.zrangebylex(scopeKey(scope), `[${id}|`, `[${id}|\xff`, 'LIMIT', '0', '1');
        const results = (await pipe.exec()) ?? [];
        return new Set(userIds.filter((_, i) => ((results[i]?.[1] as string[] | undefined) ?? []).length > 0));
      } catch {
        return local.present(scope, userIds);
      }
    },
    onExpired(listener) {
      expiredListeners.add(listener);
      return () => expiredListeners.delete(listener);
    },
    async close() {
      for (const t of timers) clearInterval(t);
      // A clean shutdown removes this node's entries at once instead of waiting for a sweep.
      await Promise.allSettled(
        [...mine].flatMap(([scope, members]) =>
          [...members].map((member) => redis.eval(LEAVE, 2, scopeKey(scope), nodeEntries(nodeId), member.split('|')[0]!, member, scope)),
        ),
      );
      await Promise.allSettled([redis.multi().del(aliveKey(nodeId), nodeEntries(nodeId)).srem(nodesKey, nodeId).exec()]);
      await local.close();
    },
  };
}
