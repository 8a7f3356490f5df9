/**
 * Hands each server message to whoever waits for it: responses and errors to pending requests,
 * notifications and requests to the application's callbacks, whose results go back as answers.
 */
import { DuplexError } from '../envelope/duplex.error.js';
import type { Envelope, EnvelopeData } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { type CallbackRegistry, invokeCallback } from './callback-registry.js';
import { fromErrorData, toErrorData, toResponseData } from './client-envelopes.js';
import type { PendingRequests } from './pending-requests.js';
import { RecentIds } from './recent-ids.js';

/**
 * How many answered ids to remember. The server re-sends the answer to a retried message whose id
 * is in its de-dup window (1,024 by default) under a new seq (docs/protocol.md §6); remembering
 * more than that window lets the client recognise every such second copy.
 */
const ANSWERED_MEMORY = 2048;

export interface DispatcherHooks {
  /** Something the application should hear about and no promise reports. */
  error(error: DuplexError): void;
  /** Queues the answer to a server request. */
  reply(request: Envelope, type: 'response' | 'error', data: EnvelopeData): void;
  /** Changes when a session ends: answers computed for an old session are dropped. */
  sessionEpoch(): number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class InboundDispatcher {
  private readonly answered = new RecentIds(ANSWERED_MEMORY);

  constructor(
    private readonly pending: PendingRequests,
    private readonly callbacks: CallbackRegistry,
    private readonly hooks: DispatcherHooks,
  ) {}

  dispatch(envelope: Envelope): void {
    if ((envelope.type === 'response' || envelope.type === 'error') && envelope.reply_to !== undefined) {
      // A second answer to the same message is a re-sent copy: the first one already counted.
      if (this.answered.has(envelope.reply_to)) return;
      this.answered.add(envelope.reply_to);
    }
    switch (envelope.type) {
      case 'response':
        // No one waiting (it timed out) is fine: the caller already has its answer.
        if (envelope.reply_to !== undefined) this.pending.resolve(envelope.reply_to, envelope.data);
        return;
      case 'error': {
        const error = fromErrorData(envelope.data);
        if (envelope.reply_to === undefined || !this.pending.reject(envelope.reply_to, error)) this.hooks.error(error);
        return;
      }
      case 'notification':
        this.runNotification(envelope);
        return;
      case 'request':
        this.runRequest(envelope);
        return;
      default:
        return;
    }
  }

  /** A new session starts: ids of the old one cannot come back. */
  reset(): void {
    this.answered.clear();
  }

  private runNotification(envelope: Envelope): void {
    // Nobody listening to a fire-and-forget message is not worth a round trip to the server.
    const fn = this.callbacks.get(envelope.action);
    if (fn === undefined) return;
    invokeCallback(fn, envelope, () => undefined, (error) => this.hooks.error(this.asCallbackError(envelope.action, error)));
  }

  private runRequest(envelope: Envelope): void {
    const epoch = this.hooks.sessionEpoch();
    const reply = (type: 'response' | 'error', data: EnvelopeData): void => {
      if (epoch === this.hooks.sessionEpoch()) this.hooks.reply(envelope, type, data);
    };
    const fn = this.callbacks.get(envelope.action);
    if (fn === undefined) {
      reply('error', { code: ErrorCode.UNKNOWN_ACTION, message: `No callback registered for "${envelope.action}"` });
      return;
    }
    invokeCallback(
      fn,
      envelope,
      (value) => reply('response', toResponseData(value)),
      (error) => {
        // A DuplexError is a deliberate answer; anything else is a bug the application should see.
        if (!(error instanceof DuplexError)) this.hooks.error(this.asCallbackError(envelope.action, error));
        reply('error', toErrorData(error));
      },
    );
  }

  private asCallbackError(action: string, error: unknown): DuplexError {
    return error instanceof DuplexError
      ? error
      : new DuplexError(ErrorCode.INTERNAL, `The callback for "${action}" threw: ${describe(error)}`);
  }
}
