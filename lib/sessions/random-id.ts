import { randomBytes, randomUUID } from 'node:crypto';

/** Session ids: 144 random bits, base64url. */
export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

/** Resume tokens: 256 random bits, base64url. A secret: never logged. */
export function newResumeToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newMessageId(): string {
  return randomUUID();
}
