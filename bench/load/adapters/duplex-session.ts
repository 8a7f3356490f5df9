/**
 * The client side of docs/protocol.md as the bench speaks it, whatever the transport: `$hello` and
 * wait for the welcome, a client `seq` on every request, an answer to every heartbeat, and
 * cumulative acks no later than `ack.interval_ms` after an un-acked message or as soon as
 * `ack.max_messages` are un-acked, or piggybacked on the next request, as the real client does.
 * It keeps no outbox: the bench never resumes. Each transport's adapter supplies the frames
 * (`DuplexFrames`, in its own encoding) and feeds what it receives to `receive`.
 */
import type { LoadSink } from '../adapter.js';

/** What the protocol needs of a received frame (`data` is read only for the welcome and errors). */
export interface InboundFrame {
  id?: string;
  type?: string;
  action?: string;
  reply_to?: string;
  seq?: number;
}

interface Welcome {
  session_id: string;
  ack?: { interval_ms?: number; max_messages?: number };
}

/** Writes one frame each, in the transport's encoding; `welcomed` gives the session later frames name. */
export interface DuplexFrames {
  writable(): boolean;
  welcomed(sessionId: string): void;
  hello(id: string): void;
  ack(id: string, seq: number): void;
  heartbeatAnswer(id: string, replyTo: string): void;
  /** The echo request; `ack` is the piggybacked cumulative ack (undefined before any sequenced message). */
  echo(id: string, seq: number, ack: number | undefined): void;
  /** A server-initiated request: the bench has no handlers, so it answers as a client without one. */
  unknownAction(id: string, action: string, replyTo: string, seq: number): void;
  bye(id: string): void;
}

export class DuplexLoadSession {
  private readonly pending = new Map<string, () => void>();
  private welcomed = false;
  private nextId = 0;
  private clientSeq = 0;
  private lastSeq = 0;
  private unacked = 0;
  private ackIntervalMs = 50;
  private ackMaxMessages = 32;
  private ackTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly frames: DuplexFrames,
    private readonly sink: LoadSink,
    private readonly onWelcome: () => void,
    private readonly onNoWelcome: (why: string) => void,
  ) {}

  get isWelcomed(): boolean {
    return this.welcomed;
  }

  hello(): void {
    this.frames.hello(`c${++this.nextId}`);
  }

  /** One received frame; `data()` parses its data, asked only when needed. */
  receive(frame: InboundFrame, data: () => unknown): void {
    if (!this.welcomed) {
      if (frame.type === 'response' && frame.action === '$hello') {
        const welcome = data() as Welcome;
        this.welcomed = true;
        this.ackIntervalMs = welcome.ack?.interval_ms ?? this.ackIntervalMs;
        this.ackMaxMessages = welcome.ack?.max_messages ?? this.ackMaxMessages;
        this.frames.welcomed(welcome.session_id);
        this.onWelcome();
      } else {
        this.onNoWelcome(`expected the welcome, got ${frame.type} ${frame.action}: ${JSON.stringify(data()).slice(0, 200)}`);
      }
      return;
    }
    if (typeof frame.seq === 'number') {
      const duplicate = frame.seq <= this.lastSeq;
      this.noteSequenced(frame.seq);
      if (duplicate) return;
    }
    switch (frame.type) {
      case 'response': {
        const done = frame.reply_to === undefined ? undefined : this.pending.get(frame.reply_to);
        if (done) {
          this.pending.delete(frame.reply_to!);
          done();
        }
        break;
      }
      case 'notification':
        this.sink.onBroadcast();
        break;
      case 'heartbeat':
        if (frame.reply_to === undefined) this.frames.heartbeatAnswer(`h${++this.nextId}`, frame.id ?? '');
        break;
      case 'error':
        this.sink.onError(`error envelope: ${JSON.stringify(data()).slice(0, 200)}`);
        if (frame.reply_to !== undefined) this.pending.delete(frame.reply_to);
        break;
      case 'request':
        this.frames.unknownAction(`r${++this.nextId}`, frame.action ?? '', frame.id ?? '', ++this.clientSeq);
        break;
      default:
        break; // acks from the server: the bench keeps no outbox to trim
    }
  }

  echo(done: () => void): void {
    const id = `c${++this.nextId}`;
    this.pending.set(id, done);
    // As the real client: every sequenced frame carries the cumulative ack, so no ack is owed.
    const ack = this.lastSeq > 0 ? this.lastSeq : undefined;
    if (ack !== undefined) this.ackOwedNoMore();
    this.frames.echo(id, ++this.clientSeq, ack);
  }

  /** The goodbye ends the session (protocol v2); a bare close would leave it queueing for its TTL. */
  bye(): void {
    this.stop();
    this.frames.bye('bye');
  }

  /** No more acks: the link is closing or closed. */
  stop(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  private ackOwedNoMore(): void {
    this.stop();
    this.unacked = 0;
  }

  private readonly sendAck = (): void => {
    this.ackOwedNoMore();
    if (this.frames.writable()) this.frames.ack(`a${++this.nextId}`, this.lastSeq);
  };

  /** As the real client's AckScheduler: duplicates count too (they mean our last ack was lost). */
  private noteSequenced(seq: number): void {
    if (seq > this.lastSeq + 1) this.sink.onError(`seq jumped from ${this.lastSeq} to ${seq}`);
    if (seq > this.lastSeq) this.lastSeq = seq;
    this.unacked++;
    if (this.unacked >= this.ackMaxMessages) this.sendAck();
    else if (!this.ackTimer) this.ackTimer = setTimeout(this.sendAck, this.ackIntervalMs);
  }
}
