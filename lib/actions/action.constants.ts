/** Metadata keys and parameter types of the `@OnAction` pipeline. */

/** Method metadata written by `@OnAction`: the action names (a method may answer several). */
export const ON_ACTION_METADATA = 'duplex:on_action';

/**
 * Where the duplex parameter decorators (`@Payload()`, `@SessionId()`, …) store their metadata.
 * A key of our own, not Nest's `__routeArguments__`: under that key Nest's HTTP router would read
 * our entries on a method that is also a route (`@Payload()` became the HTTP body) and we would
 * read Nest's (`@Query()` became the envelope), because the numeric types collide.
 */
export const DUPLEX_ARGS_METADATA = 'duplex:route-args';

/**
 * The duplex parameters of one handler with its pipe classes replaced by instances, defined only
 * while ExternalContextCreator.create() reads it (see action-params.resolver.ts).
 */
export const RESOLVED_ARGS_METADATA = 'duplex:route-args:resolved';

/**
 * The numeric `type` each duplex parameter decorator records. `ArgumentMetadata.type` is the
 * number, never `'custom'`, so `ValidationPipe` validates `@Payload()` without
 * `validateCustomDecorators` (as with `@Payload()` of @nestjs/microservices, which is 3 too).
 */
export const DuplexParamtype = {
  CONNECTION: 0,
  PAYLOAD: 3,
  ENVELOPE: 4,
  SESSION_ID: 5,
} as const;
export type DuplexParamtype = (typeof DuplexParamtype)[keyof typeof DuplexParamtype];

/**
 * Metadata that Nest's public decorators write, read here and never written. The values are those
 * of @nestjs/common's constants (`ROUTE_ARGS_METADATA`, …), which v12 exports only from an
 * internal path; the specs of this folder fail if one of them changes.
 */
export const NestMetadata = {
  /** Parameters of `@Body()`, `@Query()`, `@Req()`, … and of `createParamDecorator()` decorators. */
  ROUTE_ARGS: '__routeArguments__',
  /** `@UseFilters()` on a class or method. */
  EXCEPTION_FILTERS: '__exceptionFilters__',
  /** `@Catch(...types)` on a filter class (and its prototype). */
  FILTER_CATCH_EXCEPTIONS: '__filterCatchExceptions__',
  /** `@Get()`, `@Post()`, …: the method is an HTTP route. */
  HTTP_ROUTE_PATH: 'path',
  /** `@SubscribeMessage()` of @nestjs/websockets. */
  WS_MESSAGE: 'message',
} as const;
