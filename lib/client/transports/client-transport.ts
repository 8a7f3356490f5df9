/**
 * The seam between the client's protocol logic and a wire. A transport opens *links*; the client
 * owns sessions, sequencing and reconnection, so an SSE, long-polling or gRPC transport only has
 * to carry envelope text both ways and report how each link ends.
 */
import type { DuplexError } from '../../envelope/duplex.error.js';

export interface LinkCloseInfo {
  code: number;
  reason: string;
}

/** What a link reports. After `close` nothing more is reported. */
export interface ClientLinkListener {
  open(): void;
  /** One envelope's JSON text. */
  message(text: string): void;
  /** A failure the transport can name (e.g. HTTP 401 during the upgrade); `close` follows when fatal. */
  error(error: DuplexError): void;
  close(info: LinkCloseInfo): void;
}

export interface ClientLink {
  send(text: string): void;
  /** Orderly close with a WebSocket-style code. */
  close(code: number, reason: string): void;
  /** Drop the link at once, without a closing handshake (the peer may be gone). */
  terminate(): void;
}

export interface ClientTransport {
  open(url: string, listener: ClientLinkListener): ClientLink;
}
