/**
 * The part of a WebSocket the client uses: satisfied by the browser's `WebSocket`, Node ≥ 22's
 * global one, and the `ws` package's (which adds `terminate` and `unexpected-response`).
 */

/** @publicApi */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: WebSocketEventLike) => void): void;
  /** `ws` only: drop the TCP connection without a closing handshake. */
  terminate?(): void;
}

/**
 * The fields the client reads from open/message/close/error events.
 * @publicApi
 */
export interface WebSocketEventLike {
  readonly type: string;
  data?: unknown;
  code?: number;
  reason?: string;
  message?: string;
}

/**
 * A WebSocket constructor, e.g. `globalThis.WebSocket` or `WebSocket` from the `ws` package.
 * @publicApi
 */
export type WebSocketConstructor = new (url: string) => WebSocketLike;
