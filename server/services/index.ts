import type { PasswordHasher } from '../auth/passwords.ts';
import { createRefreshTokens } from '../auth/refresh.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { RateLimit } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { RateLimiter } from '../ratelimit/index.ts';
import type { Hub } from '../realtime/hub.ts';
import type { Notifier } from '../realtime/notifier.ts';
import type { Presence } from '../realtime/presence.ts';
import type { TypingTimers } from '../realtime/typing.ts';
import { createAccess } from './groups/access.ts';
import { createAuthService } from './accounts/auth.ts';
import { createChannelService } from './groups/channels.ts';
import { createDmService } from './messaging/dms.ts';
import type { EventLog } from '../realtime/eventlog.ts';
import { createGroupService } from './groups/groups.ts';
import { createMemberService } from './groups/members.ts';
import { createMessageService } from './messaging/messages.ts';
import { createReadService } from './messaging/reads.ts';
import { createRealtimeService } from './realtime/realtime.ts';
import { createSearchService } from './messaging/search.ts';
import { createUserService } from './accounts/users.ts';
import { createDocCrud } from './docs/crud.ts';
import type { DocEngine } from './docs/engine.ts';
import { createDocService } from './docs/index.ts';
import type { DocStore } from './docs/store.ts';

export interface ServiceDeps {
  database: Database;
  eventLog: EventLog;
  passwords: PasswordHasher;
  tokens: TokenService;
  limiter: RateLimiter;
  rateLimit: RateLimit;
  notifier: Notifier;
  presence: Presence;
  hub: Hub;
  typing: TypingTimers;
  docStore: DocStore;
  docEngine: DocEngine;
  log: Logger;
}

/** Wires every domain service over the given adapters; the same code runs embedded and clustered. */
export function createServices(deps: ServiceDeps) {
  const { database, eventLog, passwords, tokens, limiter, rateLimit, notifier, presence, hub, typing, log, docStore, docEngine } = deps;
  const db = database.db;
  const access = createAccess(db);
  const users = createUserService(db);
  const shared = { db, access, eventLog, notifier };
  const reads = createReadService({ database, access, eventLog, notifier, users });
  return {
    access,
    users,
    tokens,
    auth: createAuthService({ db, passwords, tokens, refresh: createRefreshTokens(db), limiter, users }),
    groups: createGroupService({ ...shared, reads }),
    members: createMemberService({ ...shared, presence }),
    channels: createChannelService({ ...shared, reads }),
    messages: createMessageService({ ...shared, database, limiter, rateLimit }),
    dms: createDmService({ database, eventLog, notifier, limiter, rateLimit, users }),
    reads,
    search: createSearchService({ database, access }),
    realtime: createRealtimeService({ hub, presence, notifier, access, users, typing, limiter, log }),
    docs: createDocService({
      crud: createDocCrud({ db, access, eventLog, notifier, store: docStore }),
      engine: docEngine,
      limiter,
      rateLimit,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
