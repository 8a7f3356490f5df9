import 'reflect-metadata';
import { ON_ACTION_METADATA } from './action.constants.js';
import { ON_ACTION_NOT_A_METHOD } from './action.messages.js';
import { assertActionName } from './action-name.util.js';

/**
 * Marks a method of a provider or controller as the handler of an action. The method runs
 * through Nest's guards, pipes, interceptors and exception filters, with the context type
 * `'duplex'`. Several `@OnAction` on one method register it under each name.
 *
 * Throws at decoration time if the name is empty, longer than 128 characters or starts with
 * `$` (reserved for the protocol).
 *
 * @example
 * ```ts
 * @OnAction('echo')
 * echo(@Payload() dto: EchoDto) { return dto; }
 * ```
 * @publicApi
 */
export function OnAction(action: string): MethodDecorator {
  assertActionName(action, `@OnAction(${JSON.stringify(action)})`);
  return (_target, _key, descriptor) => {
    const method: unknown = descriptor?.value;
    if (typeof method !== 'function') {
      throw new Error(ON_ACTION_NOT_A_METHOD(action));
    }
    const names: readonly string[] = Reflect.getOwnMetadata(ON_ACTION_METADATA, method) ?? [];
    if (!names.includes(action)) {
      Reflect.defineMetadata(ON_ACTION_METADATA, [...names, action], method);
    }
    return descriptor;
  };
}
