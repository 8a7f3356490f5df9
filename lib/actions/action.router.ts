import { Injectable } from '@nestjs/common';
import { DuplexError } from '../envelope/duplex.error.js';
import type { EnvelopeData } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { DUPLICATE_ACTION, UNKNOWN_ACTION } from './action.messages.js';
import { assertActionName } from './action-name.util.js';
import { settleResult, toResultData } from './action-result.mapper.js';
import type { DuplexContext } from './duplex-context.js';
import { toDuplexError } from './exception.mapper.js';

/** A registered handler: may return a value, a Promise or an Observable (its last value counts). */
export type ActionHandlerFn = (data: EnvelopeData, context: DuplexContext) => unknown;

/** What a dispatched message produced: the `data` of a `response`, or the error of an `error`. */
export type DispatchOutcome = { ok: true; data: EnvelopeData } | { ok: false; error: DuplexError };

interface RegisteredHandler {
  invoke: ActionHandlerFn;
  origin: string;
}

/**
 * The action → handler table, filled at start-up by ActionExplorer (`@OnAction` methods, already
 * wrapped in Nest's pipeline) and at run time by `registerCallback`. `dispatch` runs the handler of
 * an inbound envelope and maps its outcome; it never rejects.
 */
@Injectable()
export class ActionRouter {
  private readonly handlers = new Map<string, RegisteredHandler>();

  /**
   * Registers `invoke` under `action`. `origin` names the handler in errors (`EchoHandler.echo`).
   * Throws on an invalid name and on a second handler for the same action.
   */
  register(action: string, invoke: ActionHandlerFn, origin: string): void {
    assertActionName(action, origin);
    const existing = this.handlers.get(action);
    if (existing) {
      throw new Error(DUPLICATE_ACTION(action, existing.origin, origin));
    }
    this.handlers.set(action, { invoke, origin });
  }

  /** Registers a plain function (no guards, pipes, interceptors or filters) under `action`. */
  registerCallback(action: string, fn: ActionHandlerFn): void {
    this.register(action, fn, `registerCallback('${action}')`);
  }

  has(action: string): boolean {
    return this.handlers.has(action);
  }

  /** Runs the handler of `context.envelope.action`. Never rejects: failures come back as `ok: false`. */
  async dispatch(context: DuplexContext): Promise<DispatchOutcome> {
    let origin: string | undefined;
    try {
      const { action, data } = context.envelope;
      const handler = this.handlers.get(action);
      if (!handler) {
        return { ok: false, error: new DuplexError(ErrorCode.UNKNOWN_ACTION, UNKNOWN_ACTION(action)) };
      }
      origin = handler.origin;
      const result = await settleResult(handler.invoke(data, context));
      if (result instanceof DuplexError) return { ok: false, error: result };
      return { ok: true, data: toResultData(result) };
    } catch (err) {
      return { ok: false, error: toDuplexError(err, origin) };
    }
  }
}
