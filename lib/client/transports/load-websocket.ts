/**
 * Finds a WebSocket constructor: the one passed in the options, else the global one (browsers,
 * Node ≥ 22), else the `ws` package, loaded only then and only by a dynamic import whose
 * specifier is a variable, so that bundlers and browsers never try to resolve it.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import type { WebSocketConstructor } from './websocket-like.js';

const WS_PACKAGE: string = 'ws';

function pickConstructor(module: unknown): WebSocketConstructor | undefined {
  if (typeof module !== 'object' || module === null) return undefined;
  const candidates = module as { WebSocket?: unknown; default?: unknown };
  const ctor = candidates.WebSocket ?? candidates.default;
  return typeof ctor === 'function' ? (ctor as WebSocketConstructor) : undefined;
}

export async function loadWebSocketConstructor(injected?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (injected !== undefined) return injected;
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof native === 'function') return native as WebSocketConstructor;
  let loaded: unknown;
  try {
    loaded = await import(/* @vite-ignore */ /* webpackIgnore: true */ WS_PACKAGE);
  } catch (error) {
    throw new DuplexError(
      ErrorCode.NOT_CONNECTED,
      `No WebSocket implementation: install the "ws" package or pass the WebSocket option (${String(error)})`,
    );
  }
  const ctor = pickConstructor(loaded);
  if (ctor === undefined) {
    throw new DuplexError(ErrorCode.NOT_CONNECTED, 'The "ws" package did not export a WebSocket constructor');
  }
  return ctor;
}
