import type { ArgumentsHost } from '@nestjs/common';
import { DUPLEX_CONTEXT_TYPE } from './duplex-context.js';

// The per-transport host interfaces are not exported from the @nestjs/common root.
type WsArgumentsHost = ReturnType<ArgumentsHost['switchToWs']>;
type RpcArgumentsHost = ReturnType<ArgumentsHost['switchToRpc']>;
type HttpArgumentsHost = ReturnType<ArgumentsHost['switchToHttp']>;

/**
 * The ArgumentsHost exception filters of `@OnAction` handlers receive. Positions follow Nest's
 * own host, over the handler arguments `[context, data, action]`: `switchToWs().getClient()` is
 * the DuplexContext, `getData()` the payload, `getPattern()` the action.
 */
export class DuplexArgumentsHost implements ArgumentsHost {
  constructor(private readonly args: unknown[]) {}

  getArgs<T extends unknown[] = unknown[]>(): T {
    return this.args as T;
  }

  getArgByIndex<T = unknown>(index: number): T {
    return this.args[index] as T;
  }

  getType<TContext extends string = string>(): TContext {
    return DUPLEX_CONTEXT_TYPE as TContext;
  }

  switchToWs(): WsArgumentsHost {
    return {
      getClient: <T>() => this.getArgByIndex<T>(0),
      getData: <T>() => this.getArgByIndex<T>(1),
      getPattern: () => String(this.args[this.args.length - 1]),
    };
  }

  switchToRpc(): RpcArgumentsHost {
    return {
      getData: <T>() => this.getArgByIndex<T>(0),
      getContext: <T>() => this.getArgByIndex<T>(1),
    };
  }

  switchToHttp(): HttpArgumentsHost {
    return {
      getRequest: <T>() => this.getArgByIndex<T>(0),
      getResponse: <T>() => this.getArgByIndex<T>(1),
      getNext: <T>() => this.getArgByIndex<T>(2),
    };
  }
}
