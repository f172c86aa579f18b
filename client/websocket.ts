/** What the client uses of a socket: the browser's WebSocket, Node 22's global one and the `ws` package's all fit. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: any) => void, options?: unknown): void;
  removeEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: any) => void): void;
}

/** A WebSocket implementation for runtimes without a global one, e.g. `import WebSocket from 'ws'`. */
export interface WebSocketImplementation {
  new (url: string): WebSocketLike;
  readonly CONNECTING: number;
  readonly OPEN: number;
  readonly CLOSING: number;
  readonly CLOSED: number;
}
