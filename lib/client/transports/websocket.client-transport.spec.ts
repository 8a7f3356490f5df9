/** How the WebSocket transport classifies a refused upgrade, with a stand-in for the `ws` socket. */
import { describe, expect, it } from 'vitest';
import type { DuplexError } from '../../envelope/duplex.error.js';
import type { LinkCloseInfo } from './client-transport.js';
import type { TransportFailure } from './transport-failure.js';
import { WebSocketClientTransport } from './websocket.client-transport.js';
import type { WebSocketEventLike, WebSocketLike } from './websocket-like.js';

/** Answers the upgrade with `status`, the way `ws` reports it, then closes as `ws` does after terminate(). */
function socketAnswering(status: number): new (url: string) => WebSocketLike {
  return class implements WebSocketLike {
    readyState = 0;
    binaryType = 'blob';
    private readonly listeners = new Map<string, Array<(event: WebSocketEventLike) => void>>();
    private unexpected: ((request: unknown, response: { statusCode?: number }) => void) | undefined;
    constructor(readonly url: string) {
      queueMicrotask(() => this.unexpected?.({}, { statusCode: status }));
    }
    send(): void {}
    close(): void {}
    addEventListener(type: string, listener: (event: WebSocketEventLike) => void): void {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }
    on(_event: 'unexpected-response', listener: (request: unknown, response: { statusCode?: number }) => void): void {
      this.unexpected = listener;
    }
    terminate(): void {
      // ws reports an error ("closed before the connection was established") and then the close.
      for (const l of this.listeners.get('error') ?? []) l({ type: 'error', message: 'closed before established' });
      for (const l of this.listeners.get('close') ?? []) l({ type: 'close', code: 1006, reason: '' });
    }
  };
}

async function refusal(status: number): Promise<{ error: DuplexError; failure: TransportFailure | undefined; close: LinkCloseInfo }> {
  const transport = new WebSocketClientTransport(socketAnswering(status), 'ws://h/duplex');
  return new Promise((resolve) => {
    let reported: { error: DuplexError; failure: TransportFailure | undefined } | undefined;
    transport.open({
      open: () => undefined,
      message: () => undefined,
      error: (error, failure) => (reported ??= { error, failure }),
      close: (close) => resolve({ ...reported!, close }),
      position: () => 0,
    });
  });
}

describe('WebSocketClientTransport', () => {
  it('classifies the HTTP answer to a refused upgrade', async () => {
    expect(await refusal(401)).toMatchObject({ error: { code: 'unauthenticated', status: 401 }, failure: 'refused', close: { code: 1006 } });
    expect(await refusal(403)).toMatchObject({ error: { code: 'forbidden', status: 403 }, failure: 'refused' });
    for (const status of [400, 404, 426]) {
      expect(await refusal(status)).toMatchObject({ error: { code: 'not_connected', status }, failure: 'blocked' });
    }
    for (const status of [502, 503, 504]) {
      expect(await refusal(status)).toMatchObject({ error: { code: 'not_connected', status }, failure: 'unreachable' });
    }
  });

  it('names itself and its endpoint', () => {
    const transport = new WebSocketClientTransport(socketAnswering(404), 'wss://h/api/duplex');
    expect([transport.name, transport.endpoint]).toEqual(['websocket', 'wss://h/api/duplex']);
  });
});
