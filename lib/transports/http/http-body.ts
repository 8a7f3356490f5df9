/** Turns a POST body into envelopes, or into the 4xx the transport answers for it. */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { type DecodeResult, validateEnvelope } from '../../envelope/json-codec.js';
import type { IncomingMessage } from 'node:http';
import type { BodyRead, HttpBodyGate } from './http-body.gate.js';

export type BodyDecode = { ok: true; items: DecodeResult[] } | { ok: false; status: number; error: DuplexError };

function refuse(status: number, code: string, message: string): BodyDecode {
  return { ok: false, status, error: new DuplexError(code, message) };
}

/** `application/json`, with no charset or UTF-8 (RFC 8259: JSON between systems is UTF-8). */
function isJson(contentType: string): boolean {
  const [mediaType, ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return params.every((param) => !param.startsWith('charset=') || /^charset="?utf-8"?$/.test(param));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One envelope or a JSON array of envelopes. Unreadable bodies are refused as a whole (400, 413,
 * 415); an envelope with a bad field is one `DecodeResult` error, answered in the 200 body.
 * `emptyAllowed`: an empty body is no envelope (POST /session: a fresh session).
 */
export function decodeBody(read: BodyRead & { kind: 'read' | 'too_large' }, maxPayload: number, emptyAllowed = false): BodyDecode {
  if (read.kind === 'too_large') return refuse(413, ErrorCode.TOO_LARGE, `The body is larger than maxPayload (${maxPayload} bytes)`);
  if (read.bytes.length === 0 && emptyAllowed) return { ok: true, items: [] };
  if (read.contentType === undefined || !isJson(read.contentType)) {
    return refuse(415, ErrorCode.BAD_FRAME, 'The body must be JSON: send Content-Type: application/json (UTF-8)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.bytes.toString('utf8'));
  } catch {
    return refuse(400, ErrorCode.BAD_FRAME, 'The body is not valid JSON');
  }
  const list = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  if (!list.every(isPlainObject)) {
    return refuse(400, ErrorCode.BAD_FRAME, 'The body must be an envelope (a JSON object) or an array of envelopes');
  }
  return { ok: true, items: list.map((raw) => validateEnvelope(raw)) };
}

/** The body the gate read for `req`, decoded; 'aborted' when the client went away before it was whole. */
export async function readBody(gate: HttpBodyGate, req: IncomingMessage, maxPayload: number, emptyAllowed = false): Promise<BodyDecode | 'aborted'> {
  const taken = gate.take(req);
  // Not taken: a path the gate did not recognise reached the route; the platform may have parsed it with its own rules.
  if (taken === undefined) return refuse(500, ErrorCode.INTERNAL, 'The request body could not be read');
  const read = await taken;
  return read.kind === 'aborted' ? 'aborted' : decodeBody(read, maxPayload, emptyAllowed);
}
