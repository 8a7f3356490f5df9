import { RESERVED_ACTION_PREFIX } from '../envelope/envelope.js';
import { FIELD_LIMITS } from '../envelope/json-codec.js';
import { INVALID_ACTION_NAME } from './action.messages.js';

/**
 * Throws unless `action` is a name an application may register: a non-empty string within the
 * envelope's length limit that does not start with the protocol's reserved `$`.
 * `where` names the caller in the message (e.g. `@OnAction()`, `registerCallback()`).
 */
export function assertActionName(action: unknown, where: string): asserts action is string {
  if (
    typeof action !== 'string' ||
    action.length === 0 ||
    action.length > FIELD_LIMITS.actionLength ||
    action.startsWith(RESERVED_ACTION_PREFIX)
  ) {
    throw new Error(INVALID_ACTION_NAME(action, where));
  }
}
