import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { WsException } from '@nestjs/websockets';
import { EMPTY, of, type Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DuplexError } from '../envelope/duplex.error.js';
import type { Envelope, EnvelopeData } from '../envelope/envelope.js';
import { ActionExplorer } from './action.explorer.js';
import { ActionMetadataAccessor } from './action-metadata.accessor.js';
import { ActionRouter, type DispatchOutcome } from './action.router.js';
import type { DuplexContext } from './duplex-context.js';
import { Connection, EnvelopeParam, Payload, SessionId } from './duplex-params.decorators.js';
import { OnAction } from './on-action.decorator.js';

function contextFor(action: string, data: EnvelopeData, principal: unknown = { id: 'u1', role: 'user' }): DuplexContext {
  return {
    sessionId: 'session-1',
    principal,
    handshake: { transport: 'websocket', headers: {}, query: {}, remoteAddress: '127.0.0.1' },
    envelope: { id: 'msg-1', type: 'request', action, data, timestamp: 1_764_000_000, session_id: 'session-1' },
  };
}

function expectError(outcome: DispatchOutcome): DuplexError {
  if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.data)}`);
  expect(outcome.error).toBeInstanceOf(DuplexError);
  return outcome.error;
}

function expectData(outcome: DispatchOutcome): EnvelopeData {
  if (!outcome.ok) throw new Error(`expected data, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.data;
}

const handlerCalls: string[] = [];

@Injectable()
class EchoHandlers {
  @OnAction('echo')
  echo(@Payload() data: EnvelopeData): EnvelopeData {
    return data;
  }

  @OnAction('double')
  async double(@Payload('n') n: number): Promise<{ n: number }> {
    return { n: n * 2 };
  }

  @OnAction('stream')
  stream(): Observable<number> {
    return of(1, 2, 3);
  }

  @OnAction('empty')
  empty(): Observable<never> {
    return EMPTY;
  }

  @OnAction('answer')
  answer(): number {
    return 42;
  }

  @OnAction('nothing')
  nothing(): void {
    handlerCalls.push('nothing');
  }

  /** No parameter decorators: the method gets the raw arguments `(context, data, action)`. */
  @OnAction('raw')
  raw(context: DuplexContext, data: EnvelopeData, action: string): EnvelopeData {
    return { sessionId: context.sessionId, data, action };
  }

  @OnAction('params')
  params(
    @SessionId() sessionId: string,
    @EnvelopeParam() envelope: Envelope,
    @Connection() connection: DuplexContext,
    @Payload('x') x: unknown,
    @Payload('toString') inherited: unknown,
  ): EnvelopeData {
    return { sessionId, envelopeId: envelope.id, principal: connection.principal, x, inherited: inherited ?? 'none' };
  }

  @OnAction('boom')
  boom(): never {
    throw new TypeError('connection string postgres://admin:hunter2@db failed');
  }

  @OnAction('typed')
  typed(): never {
    throw new DuplexError('quota_exceeded', 'Too many messages', { limit: 3 });
  }

  @OnAction('ws-error')
  wsError(): never {
    throw new WsException({ code: 'room_full', message: 'The room is full', capacity: 8 });
  }
}

describe('@OnAction handlers: results, parameters and errors', () => {
  let moduleRef: TestingModule;
  let router: ActionRouter;
  let errorLog: ReturnType<typeof vi.spyOn>;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [ActionExplorer, ActionRouter, ActionMetadataAccessor, EchoHandlers],
    }).compile();
    await moduleRef.init();
    router = moduleRef.get(ActionRouter);
  });

  afterAll(async () => {
    await moduleRef.close();
  });

  beforeEach(() => {
    handlerCalls.length = 0;
    errorLog = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('results', () => {
    it('echoes the payload', async () => {
      expect(await router.dispatch(contextFor('echo', { text: 'hi', n: 1 }))).toEqual({
        ok: true,
        data: { text: 'hi', n: 1 },
      });
    });

    it('awaits a Promise', async () => {
      expect(expectData(await router.dispatch(contextFor('double', { n: 21 })))).toEqual({ n: 42 });
    });

    it("takes an Observable's last value", async () => {
      expect(expectData(await router.dispatch(contextFor('stream', {})))).toEqual({ value: 3 });
    });

    it('sends {} for an Observable that completes empty, without an error', async () => {
      expect(expectData(await router.dispatch(contextFor('empty', {})))).toEqual({});
      expect(errorLog).not.toHaveBeenCalled();
    });

    it('wraps a primitive as { value } and undefined as {}', async () => {
      expect(expectData(await router.dispatch(contextFor('answer', {})))).toEqual({ value: 42 });
      expect(expectData(await router.dispatch(contextFor('nothing', {})))).toEqual({});
      expect(handlerCalls).toEqual(['nothing']);
    });

    it('passes (context, data, action) to a method without parameter decorators', async () => {
      expect(expectData(await router.dispatch(contextFor('raw', { a: 1 })))).toEqual({
        sessionId: 'session-1',
        data: { a: 1 },
        action: 'raw',
      });
    });

    it('resolves @SessionId, @EnvelopeParam, @Connection and @Payload(property)', async () => {
      expect(expectData(await router.dispatch(contextFor('params', { x: [1, 2] })))).toEqual({
        sessionId: 'session-1',
        envelopeId: 'msg-1',
        principal: { id: 'u1', role: 'user' },
        x: [1, 2],
        // @Payload('toString') must not reach Object.prototype
        inherited: 'none',
      });
    });
  });

  describe('errors and logging', () => {
    it('answers internal without leaking the message or stack, and logs it once', async () => {
      const error = expectError(await router.dispatch(contextFor('boom', {})));
      expect(error.code).toBe('internal');
      expect(error.message).toBe('Internal server error');
      const wire = JSON.stringify(error.toData());
      expect(wire).not.toContain('hunter2');
      expect(wire).not.toContain('TypeError');
      expect(wire).not.toMatch(/\bat .*\.ts/);

      expect(errorLog).toHaveBeenCalledTimes(1);
      const [line, stack] = errorLog.mock.calls[0] as [string, string];
      expect(line).toContain('EchoHandlers.boom');
      expect(line).toContain('hunter2');
      expect(stack).toContain('action-pipeline.spec.ts');
    });

    it('passes a thrown DuplexError through with its code and details, without logging', async () => {
      const error = expectError(await router.dispatch(contextFor('typed', {})));
      expect(error.toData()).toEqual({ code: 'quota_exceeded', message: 'Too many messages', limit: 3 });
      expect(errorLog).not.toHaveBeenCalled();
    });

    it('maps a WsException({code, message}) without logging', async () => {
      const error = expectError(await router.dispatch(contextFor('ws-error', {})));
      expect(error.toData()).toEqual({ code: 'room_full', message: 'The room is full', capacity: 8 });
      expect(errorLog).not.toHaveBeenCalled();
    });
  });
});
