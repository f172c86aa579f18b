import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  isNonJsonSerializable,
  retryLink,
  splitLink,
  wsLink,
  type OperationLink,
  type TRPCClient,
  type TRPCLink,
  TRPCClientError,
} from '@trpc/client';
import type { File as StoredFile, Session } from '../shared/entities.ts';
import { CLOSE_CODES } from '../shared/close-codes.ts';
import type { AppRouter } from './router.ts';
import { createTokenManager, type SharedSession, type TokenSource } from './session.ts';
import { uploadForm, xhrUpload, type UploadOptions } from './upload.ts';
import { eventValidationLink } from './validation-link.ts';
import type { WebSocketImplementation } from './websocket.ts';

export type { AppRouter } from './router.ts';
export { CLOSE_CODES } from '../shared/close-codes.ts';
// Types only: the zod schemas are in `@parley/client/schemas`, so this entry never loads zod.
export type * from '../shared/entities.ts';
export type * from '../shared/events.ts';
export type * from '../shared/docs.ts';
export type * from '../shared/tasks.ts';
export type * from '../shared/boards.ts';
export { LIMITS } from '../shared/limits.ts';
export type { SignalPayload } from '../shared/inputs.ts';
export { TRPCClientError } from '@trpc/client';
export { streamHandlers, type StreamHandlers } from './streams.ts';
export type { SharedSession, TokenSource } from './session.ts';
export type { UploadOptions, UploadProgress } from './upload.ts';
export type { WebSocketImplementation, WebSocketLike } from './websocket.ts';
export { ParleyContractError } from './contract-error.ts';

export type ParleyClientOptions = TokenSource & {
  /** The server's base URL, e.g. `http://localhost:3000`. */
  url: string;
  /** `split` (default): subscriptions over the WebSocket, the rest over HTTP batching. `websocket`: everything over the socket. */
  transport?: 'split' | 'websocket';
  /** Called with each rotated session so the app can store it. */
  onSession?: (session: Session) => void;
  /** Called when the session can no longer be refreshed (log the user in again). */
  onAuthError?: (error: unknown) => void;
  /** How long before the access token expires a session is refreshed (default one minute). */
  refreshMarginMs?: number;
  /** Where other clients (tabs) keep the same session, so they refresh it in turn, not against each other. */
  shared?: SharedSession;
  /** A WebSocket implementation for runtimes without a global one (Node 20: `import WebSocket from 'ws'`). */
  WebSocket?: WebSocketImplementation;
  /**
   * Check every received subscription event against the contract's zod schemas (for integration
   * suites: contract drift ends the subscription with a `ParleyContractError`). Loads zod on the
   * first subscription; off by default.
   */
  validateEvents?: boolean;
};

export type ParleyClient = TRPCClient<AppRouter> & {
  close(): void;
  /**
   * `files.upload` for one file, with progress where the runtime can report it (browsers, through
   * XMLHttpRequest; elsewhere it is the plain tRPC call and `onProgress` is not called).
   */
  uploadFile(file: Blob, opts?: UploadOptions): Promise<StoredFile>;
};

/**
 * A typed Parley client: a stock tRPC client whose WebSocket re-reads the token on every
 * (re)connect, refreshes the access token before it expires, retries once after an
 * UNAUTHORIZED, and resumes subscriptions from their last event id after a reconnect.
 * The WebSocket opens with the first call that needs it, so a guest or HTTP-only client never opens one.
 */
export function createParleyClient(opts: ParleyClientOptions): ParleyClient {
  const base = opts.url.replace(/\/$/, '');
  const anonymous = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${base}/trpc` })] });
  const tokens = createTokenManager(opts, (refresh_token) => anonymous.auth.refresh.mutate({ refresh_token }), opts);

  let ws: ReturnType<typeof createWSClient> | null = null;
  const openSocket = () =>
    (ws ??= createWSClient({
      url: `${base.replace(/^http/, 'ws')}/trpc`,
      // Read on every (re)connect, so a reconnect after a refresh carries the new token.
      connectionParams: async () => ({ token: (await tokens.get()) ?? '' }),
      // The structural type covers the browser's, Node's and the `ws` package's; tRPC names the DOM's.
      ...(opts.WebSocket ? { WebSocket: opts.WebSocket as unknown as typeof WebSocket } : {}),
      keepAlive: { enabled: true, intervalMs: 20_000, pongTimeoutMs: 5_000 },
      // The server closes a socket whose token expired (4001): refresh before the automatic reconnect.
      onClose: (cause) => {
        if (cause?.code === CLOSE_CODES.tokenExpired) tokens.invalidate();
      },
    }));
  /** A socket authenticates once, when it connects: after a refresh it must reconnect to use the new token. */
  const reconnectSocket = () => ws?.connection?.ws?.close();
  // The socket (and the WebSocket implementation check) comes with the first operation that travels on it.
  const socket: TRPCLink<AppRouter> = (runtime) => {
    let link: OperationLink<AppRouter> | null = null;
    return (ctx) => (link ??= wsLink<AppRouter>({ client: openSocket() })(runtime))(ctx);
  };
  const headers = async () => {
    const token = await tokens.get();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const batched = httpBatchLink<AppRouter>({ url: `${base}/trpc`, headers });
  // Uploads (FormData) cannot be batched or sent over the socket: one plain HTTP request each.
  const upload = httpLink<AppRouter>({ url: `${base}/trpc`, headers });
  const http = splitLink<AppRouter>({ condition: (op) => isNonJsonSerializable(op.input), true: upload, false: batched });
  // One retry after UNAUTHORIZED, with a refreshed token (and a fresh socket for socket-borne calls,
  // since a socket authenticates once). Subscriptions resume from their last event id when retried.
  const retryAuth: TRPCLink<AppRouter> = retryLink({
    retry: ({ error, attempts, op }) => {
      if (attempts > 1 || error.data?.code !== 'UNAUTHORIZED' || !tokens.invalidate()) return false;
      if (op.type === 'subscription' || opts.transport === 'websocket') reconnectSocket();
      return true;
    },
  });
  const transport =
    opts.transport === 'websocket'
      ? splitLink({ condition: (op) => isNonJsonSerializable(op.input), true: upload, false: socket })
      : splitLink({ condition: (op) => op.type === 'subscription', true: socket, false: http });
  const links = opts.validateEvents ? [eventValidationLink<AppRouter>(), retryAuth, transport] : [retryAuth, transport];
  const client = createTRPCClient<AppRouter>({ links });

  async function uploadFile(file: Blob, options: UploadOptions = {}): Promise<StoredFile> {
    if (!options.onProgress || typeof XMLHttpRequest === 'undefined')
      return client.files.upload.mutate(uploadForm(file), options.signal ? { signal: options.signal } : {});
    // The same single retry after UNAUTHORIZED that retryAuth gives tRPC calls.
    try {
      return await xhrUpload(base, await tokens.get(), file, options);
    } catch (err) {
      if (!(err instanceof TRPCClientError) || err.data?.code !== 'UNAUTHORIZED' || !tokens.invalidate()) throw err;
      return xhrUpload(base, await tokens.get(), file, options);
    }
  }
  const extras = new Map<PropertyKey, unknown>([
    ['close', () => ws?.close()],
    ['uploadFile', uploadFile],
  ]);

  // The tRPC proxy treats every property as a procedure path, so the extras are wrapped around it.
  return new Proxy(client, {
    get: (target, prop, receiver) => (extras.has(prop) ? extras.get(prop) : Reflect.get(target, prop, receiver)),
  }) as ParleyClient;
}
