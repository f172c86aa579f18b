/** Limits from CONTRACT.md, shared by server validation and clients. */
export const LIMITS = {
  contentMin: 1,
  contentMax: 4000,
  usernameMin: 3,
  usernameMax: 32,
  passwordMin: 8,
  passwordMax: 256,
  nameMin: 1,
  nameMax: 100,
  descriptionMax: 1000,
  topicMax: 1024,
  displayNameMax: 100,
  historyPageMax: 100,
  historyPageDefault: 50,
  searchLimitMax: 100,
  searchQueryMax: 256,
  emojiMax: 64,
  nonceMax: 64,
  wsFrameMaxBytes: 64 * 1024,
  webrtcDataMaxBytes: 16 * 1024,
  messagesPerWindow: 20,
  messageWindowSeconds: 10,
  accessTokenSeconds: 15 * 60,
  refreshTokenSeconds: 30 * 24 * 60 * 60,
  /** A resume that missed more events than this gets `resync_required` instead of a replay. */
  resumeMaxEvents: 1000,
  /** A `typing: true` not followed by `false` is ended by the server after this long. */
  typingTimeoutMs: 8000,
  /** Presence of a crashed node's users expires within this long. */
  presenceTtlSeconds: 30,
  inviteMaxUsesMax: 10_000,
  /** HTTP request bodies (everything but `files.upload`), refused with PAYLOAD_TOO_LARGE before they are read. */
  requestBodyMaxBytes: 1024 * 1024,
  /** Calls in one HTTP batch (a stock httpBatchLink sends everything queued in one tick: generous). */
  httpBatchMax: 50,
  /** Requests one WebSocket may have in flight; more wait in a queue of `wsQueuedMax`, beyond that TOO_MANY_REQUESTS. */
  wsInFlightMax: 16,
  wsQueuedMax: 256,
  /** Subscriptions one WebSocket may hold. */
  wsSubscriptionsMax: 100,
  /** A tRPC request id, as JSON, is at most this long (it keys per-subscription state). */
  requestIdMaxChars: 128,
  /** A WebSocket that has not authenticated within this long is closed (CLOSE_CODES.authTimeout). */
  authTimeoutSeconds: 10,
  inviteExpiresMaxSeconds: 30 * 24 * 60 * 60,
  /** Tasks and Kanban cards (CONTRACT.md v2). */
  taskTitleMin: 1,
  taskTitleMax: 200,
  taskNotesMax: 10_000,
  labelsMax: 10,
  labelMin: 1,
  labelMax: 32,
  columnsPerBoard: 50,
  cardsPerBoard: 5000,
  attachmentsMax: 10,
  /** Default of MAX_UPLOAD_BYTES (the server's configured value is what counts). */
  uploadMaxBytesDefault: 25 * 1024 * 1024,
  filenameMax: 255,
} as const;

export const USERNAME_PATTERN = /^[a-z0-9_.-]+$/;
