import type { Type } from '@nestjs/common';
import { type DiscoveryService, ModuleRef } from '@nestjs/core';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Resolves enhancer classes of a handler in the module of its host (the provider or controller
 * that declares it), through that module's own ModuleRef: every module provides one. Nest
 * resolves the enhancers of a controller the same way, in the controller's module.
 */
export class HostModuleResolver {
  private readonly refs = new Map<unknown, ModuleRef>();
  private readonly pipes = new Map<ModuleRef, Map<unknown, Promise<unknown>>>();

  /** `providers`: every provider of the app (DiscoveryService), where the ModuleRefs are found. */
  constructor(
    providers: readonly InstanceWrapper[],
    private readonly fallback: ModuleRef,
  ) {
    for (const wrapper of providers) {
      if (wrapper.token === ModuleRef && wrapper.instance instanceof ModuleRef) {
        this.refs.set(wrapper.host, wrapper.instance);
      }
    }
  }

  /**
   * The instance Nest created, in the host's module, of a class given to `@UseFilters()` (its
   * scanner registers those classes there); undefined when there is none.
   */
  filterOf(host: InstanceWrapper, type: object): object | undefined {
    const ref = this.refs.get(host.host);
    try {
      const instance: unknown = (ref ?? this.fallback).get(type as Type, { strict: ref !== undefined });
      return typeof instance === 'object' && instance !== null ? instance : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * An instance of a pipe class given to a duplex parameter decorator, created with the providers
   * of the host's module, once per module and class. Nest's scanner does this only for the pipes
   * of its own parameter decorators (`@Body(SomePipe)`), not for ours.
   */
  pipeOf(host: InstanceWrapper, type: Type): Promise<unknown> {
    const ref = this.refs.get(host.host) ?? this.fallback;
    let created = this.pipes.get(ref);
    if (!created) {
      created = new Map();
      this.pipes.set(ref, created);
    }
    let pipe = created.get(type);
    if (!pipe) {
      pipe = ref.create(type);
      created.set(type, pipe);
    }
    return pipe;
  }
}
