import 'reflect-metadata';
import { assignMetadata, type ParameterDecoratorOptions, type PipeTransform, type Type } from '@nestjs/common';
import { DUPLEX_ARGS_METADATA, DuplexParamtype } from './action.constants.js';

/** A pipe as `@UsePipes` takes it: an instance, or a class Nest instantiates. */
export type PipeLike = Type<PipeTransform> | PipeTransform;

type ParamEntry = { index: number };

function isPipe(value: unknown): value is PipeLike {
  if (typeof value === 'function') {
    return typeof (value.prototype as { transform?: unknown } | undefined)?.transform === 'function';
  }
  return typeof value === 'object' && value !== null && typeof (value as PipeTransform).transform === 'function';
}

function isOptions(value: unknown): value is ParameterDecoratorOptions {
  return typeof value === 'object' && value !== null && !isPipe(value) && ('schema' in value || 'pipes' in value);
}

/**
 * Records one parameter under our own key (never Nest's route-args key, see action.constants.ts).
 * Entries a parent class declared for the same index are dropped, so an overriding method's
 * decorators replace the inherited ones.
 */
function recordParam(
  type: DuplexParamtype,
  options: { data?: string; pipes?: PipeLike[]; schema?: ParameterDecoratorOptions['schema'] },
): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) {
      throw new Error('Duplex parameter decorators can only be used on method parameters.');
    }
    const host = target.constructor;
    const own: Record<string, ParamEntry> = Reflect.getMetadata(DUPLEX_ARGS_METADATA, host, key) ?? {};
    const inherited: Record<string, ParamEntry> =
      Reflect.getMetadata(DUPLEX_ARGS_METADATA, Object.getPrototypeOf(host), key) ?? {};
    const args = Object.fromEntries(
      Object.entries(own).filter(([name, entry]) => entry.index !== index || entry !== inherited[name]),
    );
    const metadata = assignMetadata(args, type, index, {
      data: options.data,
      pipes: options.pipes ?? [],
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    });
    Reflect.defineMetadata(DUPLEX_ARGS_METADATA, metadata, host, key);
  };
}

/**
 * The envelope's `data` (or one property of it) as a handler parameter. Pipes apply: those given
 * here, plus `@UsePipes` and global ones; a pipe class is instantiated at start-up with the
 * providers of the handler's module. `ValidationPipe` validates and transforms a DTO-typed
 * `@Payload()` without `validateCustomDecorators`.
 *
 * @example
 * ```ts
 * @OnAction('rename')
 * rename(@Payload() dto: RenameDto, @Payload('name', TrimPipe) name: string) {}
 * ```
 * @publicApi
 */
export function Payload(): ParameterDecorator;
/** @publicApi */
export function Payload(...pipes: PipeLike[]): ParameterDecorator;
/** @publicApi */
export function Payload(property: string, ...pipes: PipeLike[]): ParameterDecorator;
/** @publicApi */
export function Payload(property: string, options: ParameterDecoratorOptions): ParameterDecorator;
/** @publicApi */
export function Payload(options: ParameterDecoratorOptions): ParameterDecorator;
export function Payload(
  first?: string | PipeLike | ParameterDecoratorOptions,
  ...rest: (PipeLike | ParameterDecoratorOptions)[]
): ParameterDecorator {
  const property = typeof first === 'string' ? first : undefined;
  const candidates = typeof first === 'string' || first === undefined ? rest : [first, ...rest];
  const pipes: PipeLike[] = [];
  let schema: ParameterDecoratorOptions['schema'];
  for (const candidate of candidates) {
    if (isOptions(candidate)) {
      schema ??= candidate.schema;
      pipes.push(...(candidate.pipes ?? []));
    } else if (isPipe(candidate)) {
      pipes.push(candidate);
    } else if (candidate !== undefined && candidate !== null) {
      throw new Error('@Payload() takes an optional property name, then pipes or a { pipes, schema } object.');
    }
  }
  return recordParam(DuplexParamtype.PAYLOAD, { data: property, pipes, schema });
}

/**
 * The id of the session the message belongs to.
 * @publicApi
 */
export function SessionId(): ParameterDecorator {
  return recordParam(DuplexParamtype.SESSION_ID, {});
}

/**
 * The whole inbound envelope (`id`, `type`, `action`, `data`, `timestamp`, …).
 * @publicApi
 */
export function EnvelopeParam(): ParameterDecorator {
  return recordParam(DuplexParamtype.ENVELOPE, {});
}

/**
 * The `DuplexContext` of the message: principal, handshake, session id and envelope.
 * @publicApi
 */
export function Connection(): ParameterDecorator {
  return recordParam(DuplexParamtype.CONNECTION, {});
}
