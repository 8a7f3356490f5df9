import type { Type } from '@nestjs/common';
import { DUPLEX_ARGS_METADATA, RESOLVED_ARGS_METADATA } from './action.constants.js';
import { classOf, type DuplexParams } from './action-metadata.accessor.js';

/**
 * The duplex parameters of a handler with each pipe class replaced by the instance `createPipe`
 * gives for it; pipe instances, `data` and `schema` stay as they are.
 */
export async function resolveParamPipes(
  params: DuplexParams,
  createPipe: (type: Type) => Promise<unknown>,
): Promise<DuplexParams> {
  const entries = await Promise.all(
    Object.entries(params).map(async ([key, entry]) => {
      const pipes = await Promise.all(
        (entry.pipes ?? []).map((pipe) => (typeof pipe === 'function' ? createPipe(pipe as Type) : pipe)),
      );
      return [key, { ...entry, pipes }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Calls `create` with the metadata key under which ExternalContextCreator.create() will find
 * `params`. That method takes parameters only as a key to read on the handler's class, so the
 * resolved ones are defined there for the duration of the call (it reads them synchronously) and
 * removed after: apps sharing the class each get their own pipe instances, and nothing stays.
 */
export function withResolvedParams<T>(
  instance: object,
  method: string,
  params: DuplexParams | undefined,
  create: (metadataKey: string) => T,
): T {
  if (params === undefined) return create(DUPLEX_ARGS_METADATA);
  const target = classOf(instance);
  Reflect.defineMetadata(RESOLVED_ARGS_METADATA, params, target, method);
  try {
    return create(RESOLVED_ARGS_METADATA);
  } finally {
    Reflect.deleteMetadata(RESOLVED_ARGS_METADATA, target, method);
  }
}
