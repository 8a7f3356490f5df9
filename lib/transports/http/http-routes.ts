/** The transport's endpoints under `http.prefix`, and which of them a `protocols` list serves. */
import { ProtocolType } from '../../envelope/envelope.js';

export const HTTP_ROUTE = {
  negotiate: 'negotiate',
  session: 'session',
  messages: 'messages',
  poll: 'poll',
  sse: 'sse',
} as const;

/** True when long-polling or SSE is served: the endpoints shared by both (negotiate, session, messages) then are. */
export function servesHttp(protocols: Iterable<string> | undefined): boolean {
  for (const protocol of protocols ?? []) if (protocol === ProtocolType.SSE || protocol === ProtocolType.LONG_POLLING) return true;
  return false;
}
