/**
 * One link over gRPC: one bidirectional `Connect` call, on a channel of its own that closes with
 * it. Envelopes go out and come in as `Envelope` messages; how the call ended is reported once,
 * after the last message was delivered, as the close code the client understands.
 */
import { type Client, type ClientDuplexStream, connectivityState, type StatusObject } from '@grpc/grpc-js';
import { DuplexError } from '../../../envelope/duplex.error.js';
import { ErrorCode } from '../../../envelope/error-codes.js';
import { CloseCode } from '../../close-codes.js';
import type { ClientLink, ClientLinkListener, LinkCloseInfo } from '../client-transport.js';
import { TransportFailure } from '../transport-failure.js';
import { type EnvelopeMessage, fromMessage, toMessage } from './grpc-envelope.codec.js';
import { linkEndOf } from './grpc-status.mapping.js';

export type EnvelopeCall = ClientDuplexStream<EnvelopeMessage, EnvelopeMessage>;

export class GrpcLink implements ClientLink {
  /** A message arrived: the server is there and speaks our protocol. */
  private heard = false;
  private status: StatusObject | undefined;
  /** Set when this side ended the call: reported as it was asked for, not as the CANCELLED it causes. */
  private local: LinkCloseInfo | undefined;
  private reported = false;

  constructor(
    private readonly client: Client,
    private readonly call: EnvelopeCall,
    private readonly listener: ClientLinkListener,
    private readonly endpoint: string,
  ) {
    call.on('data', (message: EnvelopeMessage) => this.onMessage(message));
    // Every non-OK status is also emitted as 'error', which would throw unheard; the status says it all.
    call.on('error', () => undefined);
    call.on('status', (status: StatusObject) => (this.status = status));
    // 'end' follows the status and every message still buffered: the end is reported after them.
    call.on('end', () => this.finish());
    call.on('close', () => this.finish());
    // grpc-js queues what is written until the channel connects, so the hello can go at once
    // (asynchronously: the caller has its link in hand first).
    queueMicrotask(() => {
      if (!this.ended) listener.open();
    });
  }

  private get ended(): boolean {
    return this.status !== undefined || this.local !== undefined;
  }

  send(text: string): void {
    // A message written into an ending call is lost, which the outbox and resume make good.
    if (!this.ended) this.call.write(toMessage(text));
  }

  close(code: number, reason: string): void {
    // Whatever the code, a client's close only ends the link (docs/protocol.md §2): cancelling says as much.
    this.endLocally({ code, reason });
  }

  terminate(): void {
    // Given up before anything answered and with no connection up: nobody was there.
    if (!this.heard && !this.reported && this.client.getChannel().getConnectivityState(false) !== connectivityState.READY) {
      this.listener.error(new DuplexError(ErrorCode.NOT_CONNECTED, `No answer from ${this.endpoint}`), TransportFailure.UNREACHABLE);
    }
    this.endLocally({ code: CloseCode.ABNORMAL, reason: 'terminated' });
  }

  private endLocally(info: LinkCloseInfo): void {
    if (this.ended) return;
    this.local = info;
    this.call.cancel();
  }

  private onMessage(message: EnvelopeMessage): void {
    if (this.reported) return;
    this.heard = true;
    const decoded = fromMessage(message);
    if (decoded.ok) this.listener.message(decoded.text);
    else this.listener.error(decoded.error);
  }

  private finish(): void {
    if (this.reported) return;
    this.reported = true;
    this.client.close();
    if (this.local !== undefined || this.status === undefined) {
      this.listener.close(this.local ?? { code: CloseCode.ABNORMAL, reason: 'the call ended without a status' });
      return;
    }
    const end = linkEndOf(this.status, this.heard, this.endpoint);
    if (end.failed !== undefined) this.listener.error(end.failed.error, end.failed.failure);
    this.listener.close(end.close);
  }
}
