import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner } from '@nestjs/core';
import type { EnvelopeData } from '../envelope/envelope.js';
import { DUPLEX_ARGS_METADATA } from './action.constants.js';
import { NON_STATIC_HANDLER } from './action.messages.js';
import { createActionContextCreator } from './action-context.creator.js';
import { ActionMetadataAccessor } from './action-metadata.accessor.js';
import { ActionRouter } from './action.router.js';
import { DUPLEX_CONTEXT_TYPE, type DuplexContext } from './duplex-context.js';
import { DuplexParamsFactory } from './duplex-params.factory.js';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];
type HandlerHost = Record<string, unknown>;

/**
 * Finds every `@OnAction` method of the app's providers and controllers at `onModuleInit`, wraps
 * it in Nest's pipeline (guards, pipes, interceptors, filters; context type `'duplex'`) and
 * registers it in ActionRouter. The wrapped method is invoked with `[context, data, action]`.
 */
@Injectable()
export class ActionExplorer implements OnModuleInit {
  private readonly logger = new Logger(ActionExplorer.name);
  private readonly paramsFactory = new DuplexParamsFactory();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: ActionMetadataAccessor,
    private readonly contextCreator: ExternalContextCreator,
    private readonly router: ActionRouter,
  ) {}

  onModuleInit(): void {
    this.explore();
  }

  explore(): void {
    const creator = createActionContextCreator(this.contextCreator);
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isAlias || typeof instance !== 'object' || instance === null) continue;
      const prototype: unknown = Object.getPrototypeOf(instance);
      if (prototype === null) continue;
      for (const method of this.scanner.getAllMethodNames(prototype as object)) {
        this.exploreMethod(wrapper, instance as HandlerHost, method, creator);
      }
    }
  }

  private exploreMethod(
    wrapper: InstanceWrapper,
    instance: HandlerHost,
    method: string,
    creator: ExternalContextCreator,
  ): void {
    const callback = instance[method];
    const actions = this.accessor.getActions(callback);
    if (actions.length === 0 || typeof callback !== 'function') return;
    const origin = `${hostName(wrapper, instance)}.${method}`;
    if (!wrapper.isDependencyTreeStatic()) {
      for (const action of actions) this.logger.warn(NON_STATIC_HANDLER(origin, action));
      return;
    }
    const handler = creator.create(
      instance,
      callback as (...args: unknown[]) => unknown,
      method,
      DUPLEX_ARGS_METADATA,
      this.paramsFactory,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: true },
      DUPLEX_CONTEXT_TYPE,
    );
    for (const action of actions) {
      this.router.register(
        action,
        (data: EnvelopeData, context: DuplexContext) => handler(context, data, action),
        origin,
      );
    }
  }
}

function hostName(wrapper: InstanceWrapper, instance: HandlerHost): string {
  const ctor = Object.getPrototypeOf(instance)?.constructor as { name?: unknown } | undefined;
  return typeof ctor?.name === 'string' && ctor.name.length > 0 && ctor.name !== 'Object'
    ? ctor.name
    : String(wrapper.name);
}
