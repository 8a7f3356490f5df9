import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, ExternalContextCreator, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { EnvelopeData } from '../envelope/envelope.js';
import { FOREIGN_PARAMS, NON_STATIC_HANDLER } from './action.messages.js';
import { ActionContextCreator, type ActionInvoker, type ActionTarget } from './action-context.creator.js';
import { bindFilters } from './action-filters.js';
import { ActionMetadataAccessor } from './action-metadata.accessor.js';
import { resolveParamPipes, withResolvedParams } from './action-params.resolver.js';
import { ActionRouter } from './action.router.js';
import type { DuplexContext } from './duplex-context.js';
import { HostModuleResolver } from './host-module.resolver.js';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];
type HandlerHost = Record<string, unknown>;

/** What one exploration shares between the methods it wraps. */
interface Exploration {
  creator: ActionContextCreator;
  modules: HostModuleResolver;
  globalFilters: readonly unknown[];
}

/**
 * Finds every `@OnAction` method of the app's providers and controllers at `onModuleInit`, wraps
 * it in Nest's pipeline (guards, pipes, interceptors, filters; context type `'duplex'`) and
 * registers it in ActionRouter. The wrapped method is invoked with `[context, data, action]`.
 */
@Injectable()
export class ActionExplorer implements OnModuleInit {
  private readonly logger = new Logger(ActionExplorer.name);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: ActionMetadataAccessor,
    private readonly contextCreator: ExternalContextCreator,
    private readonly router: ActionRouter,
    private readonly config: ApplicationConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.explore();
  }

  async explore(): Promise<void> {
    const providers = this.discovery.getProviders();
    const exploration: Exploration = {
      creator: new ActionContextCreator(this.contextCreator),
      modules: new HostModuleResolver(providers, this.moduleRef),
      globalFilters: this.config.getGlobalFilters(),
    };
    for (const wrapper of [...this.discovery.getControllers(), ...providers]) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isAlias || typeof instance !== 'object' || instance === null) continue;
      const prototype: unknown = Object.getPrototypeOf(instance);
      if (prototype === null) continue;
      for (const method of this.scanner.getAllMethodNames(prototype as object)) {
        await this.exploreMethod(wrapper, instance as HandlerHost, method, exploration);
      }
    }
  }

  private async exploreMethod(
    wrapper: InstanceWrapper,
    instance: HandlerHost,
    method: string,
    exploration: Exploration,
  ): Promise<void> {
    const callback = instance[method];
    const actions = this.accessor.getActions(callback);
    if (actions.length === 0 || typeof callback !== 'function') return;
    const origin = `${hostName(wrapper, instance)}.${method}`;
    if (!wrapper.isDependencyTreeStatic()) {
      for (const action of actions) this.logger.warn(NON_STATIC_HANDLER(origin, action));
      return;
    }
    // Refused rather than ignored: such a parameter would silently be `undefined` on every message.
    const foreign = this.accessor.getForeignParamIndexes(instance, method, callback);
    if (foreign.length > 0) throw new Error(FOREIGN_PARAMS(origin, actions, foreign));

    const target = { instance, callback: callback as ActionTarget['callback'], method };
    const invoke = await this.wrap(wrapper, target, exploration);
    for (const action of actions) {
      this.router.register(action, (data: EnvelopeData, context: DuplexContext) => invoke(context, data, action), origin);
    }
  }

  /** Nest's pipeline around one method, with its duplex parameters' pipes and its exception filters. */
  private async wrap(
    wrapper: InstanceWrapper,
    target: Omit<ActionTarget, 'filters'>,
    { creator, modules, globalFilters }: Exploration,
  ): Promise<ActionInvoker> {
    const { instance, callback, method } = target;
    const declared = this.accessor.getParams(instance, method);
    const params = declared && (await resolveParamPipes(declared, (type) => modules.pipeOf(wrapper, type)));
    const filters = bindFilters([...globalFilters, ...this.accessor.getFilterBindings(instance, callback)], {
      instanceOf: (type) => modules.filterOf(wrapper, type),
      catchTypes: (filter) => this.accessor.getCatchTypes(filter),
    });
    return withResolvedParams(instance, method, params, (key) => creator.create({ ...target, filters }, key));
  }
}

function hostName(wrapper: InstanceWrapper, instance: HandlerHost): string {
  const ctor = Object.getPrototypeOf(instance)?.constructor as { name?: unknown } | undefined;
  return typeof ctor?.name === 'string' && ctor.name.length > 0 && ctor.name !== 'Object'
    ? ctor.name
    : String(wrapper.name);
}
