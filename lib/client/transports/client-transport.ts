/**
 * The seam between the client's protocol logic and a wire. A transport opens *links* to its own
 * endpoint; the client owns sessions, sequencing, reconnection and the choice of transport, so an
 * SSE, long-polling or gRPC transport only has to carry envelope text both ways, report how each
 * link ends, and classify a failure when it can see more than the client can (an HTTP status).
 */
import type { DuplexError } from '../../envelope/duplex.error.js';
import type { ProtocolType } from '../../envelope/envelope.js';
import type { ResolvedTransportOptions } from '../client-options.js';
import type { TransportFailure } from './transport-failure.js';

/**
 * How a link ended, in the close codes of docs/protocol.md §2 (WebSocket's): every transport maps
 * its own endings onto them, because they say what the client does next (close-codes.ts).
 */
export interface LinkCloseInfo {
  code: number;
  reason: string;
}

/** What a link reports. After `close` nothing more is reported. */
export interface ClientLinkListener {
  /** The link can carry frames: the client sends its hello. */
  open(): void;
  /** One envelope's JSON text. */
  message(text: string): void;
  /**
   * A failure the transport can name; `close` follows when it is fatal. `failure` classifies it
   * when the transport knows (e.g. HTTP 401 at the upgrade is `refused`); otherwise the client
   * classifies by how far the link got.
   */
  error(error: DuplexError, failure?: TransportFailure): void;
  close(info: LinkCloseInfo): void;
  /**
   * The client's cumulative ack: the last server seq it processed in order. Pull transports send
   * it as their cursor (what the server may forget, and where it reads on from).
   */
  position(): number;
}

export interface ClientLink {
  send(text: string): void;
  /** Orderly close, with a close code of docs/protocol.md §2. */
  close(code: number, reason: string): void;
  /** Drop the link at once, without a closing handshake (the peer may be gone). */
  terminate(): void;
}

export interface ClientTransport {
  readonly name: ProtocolType;
  /** Where links go (for messages). */
  readonly endpoint: string;
  open(listener: ClientLinkListener): ClientLink;
}

/** Makes one transport: one per ProtocolType (transport-factories.ts). */
export interface ClientTransportFactory {
  /** Why this transport cannot run in this build, platform or configuration; undefined when it can. */
  unavailable(options: ResolvedTransportOptions): string | undefined;
  /** May fail when the transport needs something it finds missing only now (e.g. the `ws` package). */
  create(options: ResolvedTransportOptions): Promise<ClientTransport>;
}
