import type { ExternalContextCreator } from '@nestjs/core';
import type { EnvelopeData } from '../envelope/envelope.js';
import { type BoundFilter, runFilters } from './action-filters.js';
import { settleResult } from './action-result.mapper.js';
import { DuplexArgumentsHost } from './duplex-arguments.host.js';
import { DUPLEX_CONTEXT_TYPE, type DuplexContext } from './duplex-context.js';
import { DuplexParamsFactory } from './duplex-params.factory.js';

/** An `@OnAction` method and what it runs with. */
export interface ActionTarget {
  instance: object;
  callback: (...args: unknown[]) => unknown;
  method: string;
  /** Its exception filters, in the order they are tried (see action-filters.ts). */
  filters: readonly BoundFilter[];
}

/** A wrapped handler; every `@OnAction` method is invoked with `(context, data, action)`. */
export type ActionInvoker = (context: DuplexContext, data: EnvelopeData, action: string) => Promise<unknown>;

/**
 * Wraps `@OnAction` methods in Nest's pipeline through the public signature of
 * ExternalContextCreator.create(): guards, pipes and interceptors are Nest's own, with the
 * context type `'duplex'`. Exception filters run here instead (`filters: false`), so that an
 * error no filter handles is not logged by Nest's fallback (see action-filters.ts).
 *
 * One more change: an Observable that completes without a value resolves to `undefined` (sent as
 * `{}`) instead of rejecting with rxjs' EmptyError. `transformToResult`, the public method Nest
 * settles a result with, is replaced on an object derived from the shared instance, which is never
 * modified. If a Nest release stops calling it, action-pipeline.spec.ts's empty Observable test fails.
 */
export class ActionContextCreator {
  private readonly nest: ExternalContextCreator;
  private readonly paramsFactory = new DuplexParamsFactory();

  constructor(base: ExternalContextCreator) {
    this.nest = Object.create(base) as ExternalContextCreator;
    this.nest.transformToResult = settleResult;
  }

  /** `paramsKey`: the metadata key of the method's duplex parameters (see action-params.resolver.ts). */
  create(target: ActionTarget, paramsKey: string): ActionInvoker {
    const pipeline = this.nest.create(
      target.instance,
      target.callback,
      target.method,
      paramsKey,
      this.paramsFactory,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: false },
      DUPLEX_CONTEXT_TYPE,
    );
    return async (context, data, action) => {
      const args = [context, data, action];
      try {
        return await pipeline(...args);
      } catch (err) {
        return runFilters(target.filters, err, new DuplexArgumentsHost(args));
      }
    };
  }
}
