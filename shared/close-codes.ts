/** WebSocket close codes with a meaning clients act on (both the tRPC socket and the gateway). */
export const CLOSE_CODES = {
  /** The access token expired while the socket was open: refresh it, then reconnect. */
  tokenExpired: 4001,
  /** The gateway stream ended: the channel or conversation is gone or no longer visible. */
  streamEnded: 4004,
  /** The gateway could not open its stream. */
  streamFailed: 1011,
  /** The server is restarting: reconnect (to another instance) and resume. */
  restarting: 1012,
} as const;
