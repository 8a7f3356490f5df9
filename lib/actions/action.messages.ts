/** User-facing texts of the action pipeline, as factories so wording lives in one place. */

export const INVALID_ACTION_NAME = (action: unknown, where: string): string =>
  `${where}: invalid action name ${JSON.stringify(action)}. ` +
  'An action name must be a non-empty string that does not start with "$" (reserved for the protocol).';

export const ON_ACTION_NOT_A_METHOD = (name: string): string =>
  `@OnAction(${JSON.stringify(name)}) can only decorate a method.`;

export const DUPLICATE_ACTION = (action: string, existing: string, added: string): string =>
  `Duplicate handler for action "${action}": ${added} conflicts with ${existing}. ` +
  'Each action must have exactly one handler.';

export const UNKNOWN_ACTION = (action: string): string => `No handler for action "${action}"`;

export const NON_STATIC_HANDLER = (origin: string, action: string): string =>
  `Cannot register @OnAction("${action}") on ${origin}: its host is request-scoped or depends on a ` +
  'request-scoped provider. Action handlers must live in singleton providers or controllers.';

export const FOREIGN_PARAMS = (origin: string, actions: readonly string[], indexes: readonly number[]): string =>
  `${origin} (@OnAction(${actions.map((action) => JSON.stringify(action)).join(', ')})): ` +
  `parameter${indexes.length > 1 ? 's' : ''} ${indexes.join(', ')} ` +
  `${indexes.length > 1 ? 'have decorators' : 'has a decorator'} of Nest's HTTP layer (@Body(), @Query(), @Param(), @Req(), …) ` +
  'or made with createParamDecorator(), which an action never receives: they resolve only when the method is ' +
  'also an HTTP route. Use @Payload(), @SessionId(), @Envelope() or @Connection().';

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';
