import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { NestMetadata, ON_ACTION_METADATA } from './action.constants.js';

/** An exception type named by `@Catch()`. */
export type ExceptionType = abstract new (...args: never[]) => unknown;

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

/** The class an instance was created from: where its class decorators wrote. */
export function classOf(instance: object): object {
  const prototype = Object.getPrototypeOf(instance) as { constructor?: unknown } | null;
  return typeof prototype?.constructor === 'function' ? prototype.constructor : instance;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
