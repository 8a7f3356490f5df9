import { DuplexError } from '../envelope/duplex.error.js';
import type { Envelope, EnvelopeData } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';

interface Pending {
  sessionId: string;
  resolve: (data: EnvelopeData) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Server → client requests awaiting their answer, keyed by request id. */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  /** Registers a request; the promise settles with the client's answer, or rejects on timeout. */
  wait(id: string, sessionId: string, timeoutMs: number, timeoutMessage: string): Promise<EnvelopeData> {
    return new Promise<EnvelopeData>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DuplexError(ErrorCode.TIMEOUT, timeoutMessage));
      }, timeoutMs);
      this.pending.set(id, { sessionId, resolve, reject, timer });
    });
  }

  /** Settles the request a client's `response`/`error` answers; false if none was waiting. */
  settle(sessionId: string, reply: Envelope): boolean {
    const id = reply.reply_to;
    if (id === undefined) return false;
    const entry = this.pending.get(id);
    if (!entry || entry.sessionId !== sessionId) return false;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (reply.type === 'error') {
      const code = typeof reply.data.code === 'string' ? reply.data.code : ErrorCode.INTERNAL;
      const message = typeof reply.data.message === 'string' ? reply.data.message : 'The client answered with an error';
      entry.reject(new DuplexError(code, message, reply.data));
    } else {
      entry.resolve(reply.data);
    }
    return true;
  }

  /** Fails a pending request now (e.g. it could not be queued). */
  fail(id: string, error: Error): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.reject(error);
  }

  /** Rejects every request of a session that ended (or of all sessions, on shutdown). */
  failSession(sessionId: string | undefined, error: DuplexError): void {
    for (const [id, entry] of this.pending) {
      if (sessionId === undefined || entry.sessionId === sessionId) this.fail(id, error);
    }
  }
}
