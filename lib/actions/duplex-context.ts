import type { ExecutionContext } from '@nestjs/common';
import type { Envelope, ProtocolType } from '../envelope/envelope.js';

/** What the server knew about a connection when it was opened: the input of `authenticate`. */
export interface Handshake {
  transport: ProtocolType;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[]>;
  remoteAddress: string | undefined;
}

/**
 * The first argument of every `@OnAction` invocation (the "client" of `switchToWs()`): who sent
 * the message, on which session, through which transport. Guards read it with `getDuplexContext`.
 * @publicApi
 */
export interface DuplexContext<P = unknown> {
  sessionId: string;
  principal: P;
  handshake: Handshake;
  envelope: Envelope;
}

/** The Nest context type of `@OnAction` handlers: `host.getType() === 'duplex'`. */
export const DUPLEX_CONTEXT_TYPE = 'duplex';

/**
 * Reads the DuplexContext from a guard's or interceptor's ExecutionContext; undefined when the
 * context is not a duplex one.
 * @publicApi
 */
export function getDuplexContext<P = unknown>(context: ExecutionContext): DuplexContext<P> | undefined {
  if (context.getType<string>() !== DUPLEX_CONTEXT_TYPE) return undefined;
  return context.getArgByIndex<DuplexContext<P>>(0);
}
