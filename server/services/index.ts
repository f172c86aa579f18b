import type { PasswordHasher } from '../auth/passwords.ts';
import { createRefreshTokens } from '../auth/refresh.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { RateLimit } from '../config.ts';
import type { Database, Tx } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { FloodGuard } from '../ratelimit/bucket.ts';
import type { RateLimiter } from '../ratelimit/index.ts';
import type { Hub } from '../realtime/hub.ts';
import type { Notifier } from '../realtime/notifier.ts';
import type { Presence } from '../realtime/presence.ts';
import type { TypingTimers } from '../realtime/typing.ts';
import type { Storage } from '../storage/index.ts';
import { createAccess } from './groups/access.ts';
import { createAuthService } from './accounts/auth.ts';
import { createChannelService } from './groups/channels.ts';
import { createDmService } from './messaging/dms.ts';
import type { EventLog } from '../realtime/eventlog.ts';
import { createAttachments } from './files/attachments.ts';
import { createFileService, type FileSettings } from './files/service.ts';
import { createUrlSigner } from './files/signing.ts';
import { createGroupService } from './groups/groups.ts';
import { createMemberService } from './groups/members.ts';
import { createMessageService } from './messaging/messages.ts';
import type { SendBatchStats } from './messaging/send-batch.ts';
import { createReadService } from './messaging/reads.ts';
import { createRealtimeService } from './realtime/realtime.ts';
import { createSearchService } from './messaging/search.ts';
import { createUserService } from './accounts/users.ts';
import { createBoardService } from './boards/index.ts';
import { createOrdering } from './ordering.ts';
import { createTaskService } from './tasks/index.ts';
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
  /** Accounts one address may register per window (null: unlimited). */
  registrations: RateLimit;
  /** Per-user flood limits for typing and awareness (dropped, not refused). */
  floods: FloodGuard;
  notifier: Notifier;
  presence: Presence;
  hub: Hub;
  typing: TypingTimers;
  /** Order keys longer than this make their siblings rebalance (default 24). */
  orderKeyMaxLength?: number;
  docStore: DocStore;
  docEngine: DocEngine;
  log: Logger;
  storage: Storage;
  /** The JWT secret: download URLs are signed with a key derived from it. */
  secret: Uint8Array;
  files: FileSettings;
  /** Reports each group commit of channel messages (metrics). */
  onSendBatch?: (stats: SendBatchStats) => void;
}

/** Wires every domain service over the given adapters; the same code runs embedded and clustered. */
export function createServices(deps: ServiceDeps) {
  const {
    database,
    eventLog,
    passwords,
    tokens,
    limiter,
    rateLimit,
    registrations,
    floods,
    notifier,
    presence,
    hub,
    typing,
    log,
    storage,
    docStore,
    docEngine,
  } = deps;
  const db = database.db;
  const signer = createUrlSigner(deps.secret);
  const attachments = createAttachments({ db, signer, uploadTtlSeconds: deps.files.uploadTtlSeconds });
  const access = createAccess(db);
  const users = createUserService(db);
  const shared = { db, access, eventLog, notifier };
  const reads = createReadService({ database, access, eventLog, notifier, users });
  const collab = { database, access, eventLog, notifier, hub, ordering: createOrdering(database, deps.orderKeyMaxLength) };
  const tasks = createTaskService(collab);
  const boards = createBoardService(collab);
  // A departing member's tasks and cards in the group are unassigned in the removal's transaction.
  const onRemove = async (tx: Tx, groupId: string, userId: string) => [
    ...(await tasks.unassignMember(tx, groupId, userId)),
    ...(await boards.cards.unassignMember(tx, groupId, userId)),
  ];
  const docs = createDocService({
    crud: createDocCrud({ db, access, eventLog, notifier, store: docStore }),
    engine: docEngine,
    floods,
  });
  // Deleting a group forgets the streams of everything in it: boards, task lists and documents.
  const streamsOf = async (tx: Tx, groupId: string) => [
    ...(await tasks.streamsOf(tx, groupId)),
    ...(await boards.streamsOf(tx, groupId)),
    ...(await docs.streamsOf(tx, groupId)),
  ];
  return {
    access,
    users,
    tokens,
    auth: createAuthService({ db, passwords, tokens, refresh: createRefreshTokens(db), limiter, users, registrations }),
    groups: createGroupService({ ...shared, reads, streamsOf }),
    members: createMemberService({ ...shared, presence, onRemove }),
    channels: createChannelService({ ...shared, reads }),
    messages: createMessageService({ ...shared, database, limiter, rateLimit, attachments, onSendBatch: deps.onSendBatch }),
    dms: createDmService({ database, eventLog, notifier, limiter, rateLimit, users, attachments }),
    reads,
    search: createSearchService({ database, access, attachments }),
    files: createFileService({ database, storage, limiter, signer, settings: deps.files }),
    attachments,
    signer,
    tasks,
    boards,
    realtime: createRealtimeService({ hub, presence, notifier, access, users, typing, limiter, log, floods, database }),
    floods,
    docs,
  };
}

export type Services = ReturnType<typeof createServices>;
