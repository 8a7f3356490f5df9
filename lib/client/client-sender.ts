/**
 * The client's way out: queues what the application sends (refusing a message over the server's
 * `max_payload` at the call), writes queued and un-acked messages with the cumulative ack riding
 * on them (docs/protocol.md §5), and writes a bare ack when nothing else is going out.
 */
import { encodeJson, frameJson } from '../envelope/json-codec.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';
import type { AckScheduler } from './ack-scheduler.js';
import { checkFrameSize, makeEnvelope } from './client-envelopes.js';
import type { ClientOutbox } from './client-outbox.js';
import type { InboundSequencer } from './inbound-sequencer.js';
import type { PendingRequests } from './pending-requests.js';
import { DEFAULT_MAX_PAYLOAD } from './welcome.js';

/** Where frames go: the live connection. */
export interface FrameSink {
  send(text: string): void;
}

export class ClientSender {
  /** The server's `max_payload`, from the last welcome. */
  maxPayload = DEFAULT_MAX_PAYLOAD;

  constructor(
    private readonly outbox: ClientOutbox,
    private readonly pending: PendingRequests,
    private readonly inbound: InboundSequencer,
    private readonly acks: AckScheduler,
  ) {}

  /** Queues a message; throws `too_large` past the server's limit, `outbox_overflow` when full. */
  queue(message: PreparedMessage, sessionIdLength: number): PreparedMessage {
    this.outbox.enqueue(checkFrameSize(message, this.maxPayload, sessionIdLength));
    return message;
  }

  /** Writes (after a resume, first the un-acked ones again) the queued messages. */
  write(sink: FrameSink, sessionId: string, resend: boolean): void {
    // Every sequenced frame carries our cumulative ack: request/response traffic needs no ack frame.
    const ack = this.inbound.lastProcessed;
    let sent = false;
    if (resend) {
      for (const entry of this.outbox.unacked()) {
        sink.send(frameJson(entry.message, sessionId, entry.seq, ack));
        sent = true;
      }
    }
    for (let entry = this.outbox.takeNext(); entry !== undefined; entry = this.outbox.takeNext()) {
      this.pending.markSent(entry.id);
      sink.send(frameJson(entry.message, sessionId, entry.seq, ack));
      sent = true;
    }
    if (sent && ack > 0) this.acks.piggybacked();
  }

  writeAck(sink: FrameSink, sessionId: string): void {
    if (this.inbound.lastProcessed === 0) return;
    const ack = makeEnvelope('ack', '', { seq: this.inbound.lastProcessed });
    ack.session_id = sessionId;
    sink.send(encodeJson(ack));
  }
}
