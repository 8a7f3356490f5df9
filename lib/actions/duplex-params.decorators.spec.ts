import { ParseIntPipe, ValidationPipe } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DUPLEX_ARGS_METADATA, DuplexParamtype, NestMetadata } from './action.constants.js';
import { Connection, EnvelopeParam, Payload, SessionId } from './duplex-params.decorators.js';
import { DuplexParamsFactory } from './duplex-params.factory.js';
import type { DuplexContext } from './duplex-context.js';

type Entry = { index: number; data?: unknown; pipes: unknown[] };

function paramsOf(host: object, method: string): Record<string, Entry> {
  return Reflect.getMetadata(DUPLEX_ARGS_METADATA, host, method) as Record<string, Entry>;
}

describe('duplex parameter decorators', () => {
  const validation = new ValidationPipe();

  class Handlers {
    all(
      @Payload() _a: unknown,
      @Payload('name') _b: unknown,
      @Payload('count', ParseIntPipe) _c: unknown,
      @Payload(validation) _d: unknown,
      @Payload({ pipes: [ParseIntPipe] }) _e: unknown,
      @SessionId() _f: unknown,
      @EnvelopeParam() _g: unknown,
      @Connection() _h: unknown,
    ): void {}
  }

  it('records a numeric type (never "custom"), the property and the pipes of each parameter', () => {
    expect(paramsOf(Handlers, 'all')).toEqual({
      [`${DuplexParamtype.PAYLOAD}:0`]: { index: 0, data: undefined, pipes: [] },
      [`${DuplexParamtype.PAYLOAD}:1`]: { index: 1, data: 'name', pipes: [] },
      [`${DuplexParamtype.PAYLOAD}:2`]: { index: 2, data: 'count', pipes: [ParseIntPipe] },
      [`${DuplexParamtype.PAYLOAD}:3`]: { index: 3, data: undefined, pipes: [validation] },
      [`${DuplexParamtype.PAYLOAD}:4`]: { index: 4, data: undefined, pipes: [ParseIntPipe] },
      [`${DuplexParamtype.SESSION_ID}:5`]: { index: 5, data: undefined, pipes: [] },
      [`${DuplexParamtype.ENVELOPE}:6`]: { index: 6, data: undefined, pipes: [] },
      [`${DuplexParamtype.CONNECTION}:7`]: { index: 7, data: undefined, pipes: [] },
    });
  });

  it("writes under a key of its own, never Nest's route arguments (whose numeric types collide)", () => {
    expect(DUPLEX_ARGS_METADATA).not.toBe(NestMetadata.ROUTE_ARGS);
    expect(Reflect.getMetadata(NestMetadata.ROUTE_ARGS, Handlers, 'all')).toBeUndefined();
  });

  it('lets an overriding method replace the parameters it inherits', () => {
    class Base {
      handle(@Payload('old') _value: unknown): void {}
    }
    class Derived extends Base {
      override handle(@Payload('new') _value: unknown): void {}
    }
    expect(paramsOf(Derived, 'handle')).toEqual({ [`${DuplexParamtype.PAYLOAD}:0`]: { index: 0, data: 'new', pipes: [] } });
    expect(paramsOf(Base, 'handle')).toEqual({ [`${DuplexParamtype.PAYLOAD}:0`]: { index: 0, data: 'old', pipes: [] } });
  });

  it('rejects arguments that are neither pipes nor options', () => {
    expect(() => Payload('x', 42 as never)).toThrow(/@Payload\(\) takes/);
  });
});

describe('DuplexParamsFactory', () => {
  const factory = new DuplexParamsFactory();
  const context = {
    sessionId: 's-9',
    principal: null,
    handshake: { transport: 'websocket', headers: {}, query: {}, remoteAddress: undefined },
    envelope: { id: 'm', type: 'request', action: 'a', data: { k: 1 }, timestamp: 1, session_id: 's-9' },
  } satisfies DuplexContext;
  const args = [context, context.envelope.data, 'a'];

  it.each<[string, number, string | undefined, unknown]>([
    ['the context', DuplexParamtype.CONNECTION, undefined, context],
    ['the payload', DuplexParamtype.PAYLOAD, undefined, context.envelope.data],
    ['one payload property', DuplexParamtype.PAYLOAD, 'k', 1],
    ['a missing property', DuplexParamtype.PAYLOAD, 'missing', undefined],
    ['an Object.prototype name', DuplexParamtype.PAYLOAD, 'constructor', undefined],
    ['the envelope', DuplexParamtype.ENVELOPE, undefined, context.envelope],
    ['the session id', DuplexParamtype.SESSION_ID, undefined, 's-9'],
    ['an unknown type', 99, undefined, undefined],
  ])('resolves %s', (_label, type, data, expected) => {
    expect(factory.exchangeKeyForValue(type, data, args)).toBe(expected);
  });
});
