/** Metadata keys and parameter types of the `@OnAction` pipeline. */

/** Method metadata written by `@OnAction`: the action names (a method may answer several). */
export const ON_ACTION_METADATA = 'duplex:on_action';

/**
 * Where parameter decorators store their metadata. It is Nest's own `ROUTE_ARGS_METADATA` value
 * (not a public export in v12): keeping it means `createParamDecorator` decorators written for
 * controllers also work on `@OnAction` methods, and Nest's scanner registers the pipe classes
 * given to our decorators as injectables, as it does for `@Body(SomePipe)`.
 */
export const DUPLEX_ARGS_METADATA = '__routeArguments__';

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
 * of @nestjs/common's constants (`EXCEPTION_FILTERS_METADATA`, …), which v12 exports only from an
 * internal path; the specs of this folder fail if one of them changes.
 */
export const NestMetadata = {
  /** `@UseFilters()` on a class or method. */
  EXCEPTION_FILTERS: '__exceptionFilters__',
  /** `@Catch(...types)` on a filter class (and its prototype). */
  FILTER_CATCH_EXCEPTIONS: '__filterCatchExceptions__',
} as const;
