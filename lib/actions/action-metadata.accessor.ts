import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ON_ACTION_METADATA } from './action.constants.js';

/** Reads `@OnAction` metadata; tolerates anything that is not a function. */
@Injectable()
export class ActionMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  /** The action names a method answers; empty when it carries no `@OnAction`. */
  getActions(target: unknown): readonly string[] {
    if (typeof target !== 'function') return [];
    const names: unknown = this.reflector.get(ON_ACTION_METADATA, target);
    return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
  }
}
