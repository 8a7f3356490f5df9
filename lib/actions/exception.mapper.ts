import { STATUS_CODES } from 'node:http';
import { HttpException, Logger } from '@nestjs/common';
import { DuplexError } from '../envelope/duplex.error.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { INTERNAL_ERROR_MESSAGE } from './action.messages.js';

/**
 * Turns whatever a handler, guard, pipe, interceptor or filter threw into the DuplexError an
 * `error` envelope carries (docs/protocol.md §3). Expected errors (DuplexError, HttpException,
 * WsException-like) map silently; anything else becomes a generic `internal` error and is logged
 * here, once, with its stack: callers must not log it again.
 */

const logger = new Logger('DuplexExceptionMapper');

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  408: ErrorCode.TIMEOUT,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.TOO_LARGE,
  429: ErrorCode.RATE_LIMITED,
};

/** Messages of ValidationPipe / class-validator that name no property. */
const MESSAGES_WITHOUT_FIELD: ReadonlySet<string> = new Set([
  'an unknown value was passed to the validate function',
  'Further validation errors were omitted',
]);

/**
 * The property path a class-validator message starts with: `text must be…` → `text`,
 * `address.city must…` → `address.city`, `each value in tags…` → `tags`,
 * `property foo should not exist` → `foo`.
 */
const FIELD_OF_MESSAGE = /^((?:[\w$]+\.)*)(?:each value in )?(?:nested property |property )?([\w$]+(?:\.[\w$]+)*)\s/;

interface ValidationDetails {
  errors: string[];
  fields: string[];
}

/**
 * Maps any thrown value to a DuplexError; never throws. `source` (e.g. `EchoHandler.echo`) only
 * goes into the log line of an unexpected error.
 */
export function toDuplexError(err: unknown, source?: string): DuplexError {
  try {
    if (err instanceof DuplexError) return err;
    if (err instanceof HttpException) return fromHttpException(err);
    if (isWsExceptionLike(err)) return fromWsException(err);
  } catch {
    // A hostile getter or getResponse() must not escape: fall through to `internal`.
  }
  logUnexpected(err, source);
  return new DuplexError(ErrorCode.INTERNAL, INTERNAL_ERROR_MESSAGE);
}

function fromHttpException(err: HttpException): DuplexError {
  const status = err.getStatus();
  const response = err.getResponse();
  const validation = status === 400 ? validationDetails(response) : undefined;
  if (validation) {
    return new DuplexError(ErrorCode.VALIDATION_FAILED, validation.errors.join('; ') || err.message, { ...validation }, status);
  }
  return new DuplexError(codeForStatus(status), messageOf(err, response, status), undefined, status);
}

function codeForStatus(status: number): string {
  const known = CODE_BY_STATUS[status];
  if (known) return known;
  return status >= 400 && status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL;
}

function messageOf(err: HttpException, response: unknown, status: number): string {
  // An Error given as the response is a cause for the server's eyes only (Nest sends the status text).
  if (response instanceof Error) return STATUS_CODES[status] ?? 'Error';
  if (typeof response === 'string') return response;
  const message = isRecord(response) ? response.message : undefined;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return err.message;
}

/** The errors and fields of a ValidationPipe rejection, or undefined when it is not one. */
function validationDetails(response: unknown): ValidationDetails | undefined {
  const message = Array.isArray(response) ? response : isRecord(response) ? response.message : undefined;
  if (Array.isArray(message)) return fromList(message);
  // ValidationPipe's `errorFormat: 'grouped'`: { 'address.city': ['…'], … }
  if (isRecord(message) && Object.values(message).every(Array.isArray)) {
    const errors = Object.values(message).flat().map(String);
    const fields = Object.keys(message).filter((key) => key !== '...');
    return { errors, fields };
  }
  return undefined;
}

function fromList(items: unknown[]): ValidationDetails {
  const details: ValidationDetails = { errors: [], fields: [] };
  for (const item of items) {
    if (isRecord(item) && typeof item.property === 'string') {
      collectStructured(item, '', details);
    } else {
      const text = String(item);
      details.errors.push(text);
      const field = fieldOfMessage(text);
      if (field !== undefined) details.fields.push(field);
    }
  }
  details.fields = [...new Set(details.fields)];
  return details;
}

/** A class-validator `ValidationError` tree (when an `exceptionFactory` passes them through). */
function collectStructured(error: Record<string, unknown>, parent: string, details: ValidationDetails): void {
  const path = parent ? `${parent}.${String(error.property)}` : String(error.property);
  if (isRecord(error.constraints)) {
    details.errors.push(...Object.values(error.constraints).map(String));
    details.fields.push(path);
  }
  if (Array.isArray(error.children)) {
    for (const child of error.children) {
      if (isRecord(child) && typeof child.property === 'string') collectStructured(child, path, details);
    }
  }
}

function fieldOfMessage(message: string): string | undefined {
  if (MESSAGES_WITHOUT_FIELD.has(message)) return undefined;
  const match = FIELD_OF_MESSAGE.exec(message);
  return match ? `${match[1]}${match[2]}` : undefined;
}

interface WsExceptionLike extends Error {
  getError(): unknown;
}

/** WsException / RpcException, recognised by shape: @nestjs/websockets is not a dependency. */
function isWsExceptionLike(err: unknown): err is WsExceptionLike {
  return err instanceof Error && typeof (err as Partial<WsExceptionLike>).getError === 'function';
}

function fromWsException(err: WsExceptionLike): DuplexError {
  const error = err.getError();
  if (typeof error === 'string') return new DuplexError(ErrorCode.BAD_REQUEST, error);
  if (isRecord(error)) {
    const { code, message, ...details } = error;
    return new DuplexError(
      typeof code === 'string' && code.length > 0 ? code : ErrorCode.BAD_REQUEST,
      typeof message === 'string' ? message : err.message,
      details,
    );
  }
  return new DuplexError(ErrorCode.BAD_REQUEST, err.message);
}

function logUnexpected(err: unknown, source: string | undefined): void {
  const where = source ? ` in ${source}` : '';
  try {
    if (err instanceof Error) {
      logger.error(`Unhandled ${err.name}${where}: ${err.message}`, err.stack);
    } else {
      logger.error(`Unhandled non-Error value thrown${where}: ${safeDescribe(err)}`);
    }
  } catch {
    // Logging must never turn a handled failure into a crash.
  }
}

function safeDescribe(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
