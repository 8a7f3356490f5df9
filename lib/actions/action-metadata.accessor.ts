import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DUPLEX_ARGS_METADATA, NestMetadata, ON_ACTION_METADATA } from './action.constants.js';

/** One parameter recorded by a duplex parameter decorator (the shape Nest's `assignMetadata` writes). */
export interface DuplexParamEntry {
  index: number;
  data?: unknown;
  pipes?: unknown[];
  schema?: unknown;
}

/** The duplex parameters of one method, keyed `"<type>:<index>"`. */
export type DuplexParams = Record<string, DuplexParamEntry>;

/** An exception type named by `@Catch()`. */
export type ExceptionType = abstract new (...args: never[]) => unknown;

/** Handler layers of Nest whose methods may carry `__routeArguments__` parameters of their own. */
const OTHER_LAYER_MARKERS = [NestMetadata.HTTP_ROUTE_PATH, NestMetadata.WS_MESSAGE];

/** Reads the metadata of `@OnAction` handlers (ours and the Nest decorators they carry); tolerant of bad values. */
@Injectable()
export class ActionMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  /** The action names a method answers; empty when it carries no `@OnAction`. */
  getActions(target: unknown): readonly string[] {
    if (typeof target !== 'function') return [];
    const names: unknown = this.reflector.get(ON_ACTION_METADATA, target);
    return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
  }

  /** The duplex parameters of `instance[method]` (inherited ones included), or undefined. */
  getParams(instance: object, method: string): DuplexParams | undefined {
    const params: unknown = Reflect.getMetadata(DUPLEX_ARGS_METADATA, classOf(instance), method);
    return isRecord(params) ? (params as DuplexParams) : undefined;
  }

  /**
   * Indexes of parameters decorated for Nest's HTTP layer (`@Body()`, `@Query()`, `@Req()`, …) or
   * with a `createParamDecorator()` decorator, on a method that is not also an HTTP route or a
   * `@SubscribeMessage()`: an action would always receive `undefined` there. Empty when there are
   * none, or when that other layer resolves them.
   */
  getForeignParamIndexes(instance: object, method: string, callback: object): number[] {
    if (OTHER_LAYER_MARKERS.some((key) => Reflect.getMetadata(key, callback) !== undefined)) return [];
    const args: unknown = Reflect.getMetadata(NestMetadata.ROUTE_ARGS, classOf(instance), method);
    if (!isRecord(args)) return [];
    const indexes = Object.values(args).map((entry) => (isRecord(entry) ? entry.index : undefined));
    return [...new Set(indexes.filter((index): index is number => typeof index === 'number'))].sort((a, b) => a - b);
  }

  /** The `@UseFilters()` bindings of the handler: the class's, then the method's (Nest's order). */
  getFilterBindings(instance: object, callback: object): unknown[] {
    return [
      ...asArray(Reflect.getMetadata(NestMetadata.EXCEPTION_FILTERS, classOf(instance))),
      ...asArray(Reflect.getMetadata(NestMetadata.EXCEPTION_FILTERS, callback)),
    ];
  }

  /** The exception types a filter's `@Catch()` names; empty means it catches everything. */
  getCatchTypes(filter: object): ExceptionType[] {
    // As Nest: `@Catch()` writes the types on the class and its prototype; the prototype wins,
    // because the `constructor` of an instance's prototype may name another class (mixins).
    const types: unknown =
      Reflect.getMetadata(NestMetadata.FILTER_CATCH_EXCEPTIONS, Object.getPrototypeOf(filter) as object) ??
      Reflect.getMetadata(NestMetadata.FILTER_CATCH_EXCEPTIONS, filter.constructor);
    return asArray(types).filter((type): type is ExceptionType => typeof type === 'function');
  }
}

/** The class an instance was created from: where class decorators and parameter decorators wrote. */
export function classOf(instance: object): object {
  const prototype = Object.getPrototypeOf(instance) as { constructor?: unknown } | null;
  return typeof prototype?.constructor === 'function' ? prototype.constructor : instance;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
