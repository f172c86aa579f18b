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
  inviteExpiresMaxSeconds: 30 * 24 * 60 * 60,
  attachmentsMax: 10,
  /** Default of MAX_UPLOAD_BYTES (the server's configured value is what counts). */
  uploadMaxBytesDefault: 25 * 1024 * 1024,
  filenameMax: 255,
} as const;

export const USERNAME_PATTERN = /^[a-z0-9_.-]+$/;
