/**
 * The Node request and response under the platform's own objects. The transport writes its answers
 * on the raw response, the same bytes on Express and Fastify: the wire format must not pass through
 * the app's global interceptors or serializers, and an SSE stream needs the raw writes anyway.
 */
import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';

export interface RawExchange {
  req: IncomingMessage;
  res: ServerResponse;
}

/** What the transport uses of a Fastify reply (Express's response is the Node one). */
interface ReplyLike {
  raw: ServerResponse;
  hijack(): unknown;
  getHeaders(): Record<string, OutgoingHttpHeader | undefined>;
}

function isReply(value: unknown): value is ReplyLike {
  const reply = value as Partial<ReplyLike> | null;
  return typeof reply?.hijack === 'function' && typeof reply.getHeaders === 'function' && typeof reply.raw === 'object';
}

/** Takes the exchange over from the platform: Fastify is told not to answer, and the headers its hooks set (CORS, helmet…) are kept. */
export function takeExchange(request: unknown, response: unknown): RawExchange {
  const req = ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage;
  if (!isReply(response)) return { req, res: response as ServerResponse };
  response.hijack();
  const res = response.raw;
  for (const [name, value] of Object.entries(response.getHeaders())) {
    if (value !== undefined && !res.hasHeader(name)) res.setHeader(name, value);
  }
  return { req, res };
}

/** The path of the request, without its query. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The request's query (parsed once per request, by the caller). */
export function queryOf(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
}

/**
 * Calls `gone` once if the client goes away before the response is finished — at once when it
 * already went (while the request waited for the broker, say); returns the function that stops watching.
 */
export function onClientGone(res: ServerResponse, gone: () => void): () => void {
  const listener = (): void => {
    if (!res.writableFinished) gone();
  };
  if (res.destroyed || res.socket?.destroyed === true || res.closed) {
    gone();
    return () => undefined;
  }
  res.once('close', listener);
  return () => res.off('close', listener);
}
