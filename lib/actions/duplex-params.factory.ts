import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core';
import { DuplexParamtype } from './action.constants.js';
import type { DuplexContext } from './duplex-context.js';

/**
 * Resolves duplex parameter decorators against the arguments every `@OnAction` handler is
 * invoked with: `[context, data, action]`.
 */
export class DuplexParamsFactory implements ParamsFactory {
  exchangeKeyForValue(type: number, data: ParamData | undefined, args: unknown): unknown {
    if (!Array.isArray(args)) return undefined;
    const context = args[0] as DuplexContext | undefined;
    switch (type) {
      case DuplexParamtype.CONNECTION:
        return context;
      case DuplexParamtype.PAYLOAD: {
        const payload = args[1] as Record<string, unknown> | undefined;
        if (typeof data !== 'string' || data.length === 0) return payload;
        // Own properties only: a missing key must not resolve to something from Object.prototype.
        return payload !== undefined && Object.hasOwn(payload, data) ? payload[data] : undefined;
      }
      case DuplexParamtype.ENVELOPE:
        return context?.envelope;
      case DuplexParamtype.SESSION_ID:
        return context?.sessionId;
      default:
        return undefined;
    }
  }
}
