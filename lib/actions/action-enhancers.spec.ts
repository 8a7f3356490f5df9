import {
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  Catch,
  type ExceptionFilter,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  ParseIntPipe,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { map, type Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DuplexError } from '../envelope/duplex.error.js';
import type { EnvelopeData } from '../envelope/envelope.js';
import { ActionExplorer } from './action.explorer.js';
import { ActionMetadataAccessor } from './action-metadata.accessor.js';
import { ActionRouter, type DispatchOutcome } from './action.router.js';
import { type DuplexContext, getDuplexContext } from './duplex-context.js';
import { Payload } from './duplex-params.decorators.js';
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

class EchoDto {
  @IsString()
  text!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  count?: number;

  shout(): string {
    return this.text.toUpperCase();
  }
}

class CustomError extends Error {}

/** Everything guards saw, to assert on the execution context they were given. */
const guardSightings: { type: string; client: unknown; data: unknown; pattern: string; principal: unknown }[] = [];
const handlerCalls: string[] = [];

@Injectable()
class DenyGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

@Injectable()
class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const duplex = getDuplexContext<{ role: string }>(context);
    const ws = context.switchToWs();
    guardSightings.push({
      type: context.getType(),
      client: ws.getClient(),
      data: ws.getData(),
      pattern: ws.getPattern(),
      principal: duplex?.principal,
    });
    return duplex?.principal.role === 'admin';
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value) => ({ wrapped: value, type: context.getType() })));
  }
}

@Catch(CustomError)
class ThrowingFilter implements ExceptionFilter {
  catch(error: CustomError, host: ArgumentsHost): never {
    throw new DuplexError('custom_code', error.message, { action: host.switchToWs().getPattern() });
  }
}

@Catch(CustomError)
class ReturningFilter implements ExceptionFilter {
  catch(error: CustomError): DuplexError {
    return new DuplexError('custom_returned', error.message);
  }
}

@Injectable()
@UseGuards(DenyGuard)
class DeniedHandlers {
  @OnAction('denied')
  denied(): EnvelopeData {
    handlerCalls.push('denied');
    return { secret: true };
  }
}

@Injectable()
class AdminHandlers {
  @UseGuards(AdminGuard)
  @OnAction('admin')
  admin(): EnvelopeData {
    return { admin: true };
  }
}

@Injectable()
class ValidatedHandlers {
  @UsePipes(new ValidationPipe())
  @OnAction('validate')
  validate(@Payload() dto: EchoDto): EnvelopeData {
    return { text: dto.text, isInstance: dto instanceof EchoDto };
  }

  @UsePipes(ValidationPipe)
  @OnAction('validate-class-pipe')
  validateWithClassPipe(@Payload() dto: EchoDto): EnvelopeData {
    return { text: dto.text };
  }

  @UsePipes(new ValidationPipe({ transform: true }))
  @OnAction('transform')
  transform(@Payload() dto: EchoDto): EnvelopeData {
    return { isInstance: dto instanceof EchoDto, shout: dto.shout() };
  }

  @OnAction('param-pipe')
  paramPipe(@Payload('n', ParseIntPipe) n: number): EnvelopeData {
    return { next: n + 1 };
  }
}

@Injectable()
@UseInterceptors(WrapInterceptor)
class InterceptedHandlers {
  @OnAction('wrapped')
  wrapped(): EnvelopeData {
    return { v: 1 };
  }
}

@Injectable()
@UseFilters(ThrowingFilter)
class FilteredHandlers {
  @OnAction('custom')
  custom(): never {
    throw new CustomError('custom failure');
  }

  /** No filter of the class covers a DuplexError: it passes through as it is, and is not logged. */
  @OnAction('custom-unfiltered')
  customUnfiltered(): never {
    throw new DuplexError('quota_exceeded', 'Too many');
  }

  /** The method's filter wins over the class's, as on a controller. */
  @UseFilters(ReturningFilter)
  @OnAction('custom-returned')
  customReturned(): never {
    throw new CustomError('returned failure');
  }
}

const HANDLERS = [DeniedHandlers, AdminHandlers, ValidatedHandlers, InterceptedHandlers, FilteredHandlers];

describe('@OnAction handlers: guards, pipes, interceptors and filters', () => {
  let moduleRef: TestingModule;
  let router: ActionRouter;
  let errorLog: ReturnType<typeof vi.spyOn>;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [ActionExplorer, ActionRouter, ActionMetadataAccessor, ...HANDLERS],
    }).compile();
    await moduleRef.init();
    router = moduleRef.get(ActionRouter);
  });

  afterAll(async () => {
    await moduleRef.close();
  });

  beforeEach(() => {
    guardSightings.length = 0;
    handlerCalls.length = 0;
    errorLog = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('guards', () => {
    it('answers forbidden when a guard denies, without running the handler', async () => {
      const error = expectError(await router.dispatch(contextFor('denied', {})));
      expect(error.code).toBe('forbidden');
      expect(error.status).toBe(403);
      expect(handlerCalls).toEqual([]);
    });

    it('gives guards a duplex execution context with the principal, client, data and pattern', async () => {
      const context = contextFor('admin', { q: 1 }, { id: 'a1', role: 'admin' });
      expect(expectData(await router.dispatch(context))).toEqual({ admin: true });
      expect(guardSightings).toEqual([
        { type: 'duplex', client: context, data: { q: 1 }, pattern: 'admin', principal: { id: 'a1', role: 'admin' } },
      ]);

      const denied = expectError(await router.dispatch(contextFor('admin', {}, { id: 'u2', role: 'user' })));
      expect(denied.code).toBe('forbidden');
    });
  });

  describe('pipes', () => {
    it('@UsePipes(new ValidationPipe()) rejects an invalid DTO with validation_failed and field names', async () => {
      const error = expectError(await router.dispatch(contextFor('validate', { text: 5, count: -1 })));
      expect(error.code).toBe('validation_failed');
      expect(error.status).toBe(400);
      expect(error.details?.fields).toEqual(['text', 'count']);
      expect(error.details?.errors).toEqual(expect.arrayContaining(['text must be a string', 'count must not be less than 0']));
      expect(error.toData()).toMatchObject({ code: 'validation_failed', status: 400, fields: ['text', 'count'] });
    });

    it('@UsePipes(new ValidationPipe()) lets a valid DTO through as sent (no transform)', async () => {
      expect(expectData(await router.dispatch(contextFor('validate', { text: 'ok' })))).toEqual({
        text: 'ok',
        isInstance: false,
      });
    });

    it('@UsePipes(ValidationPipe) given as a class validates too', async () => {
      const error = expectError(await router.dispatch(contextFor('validate-class-pipe', {})));
      expect(error.code).toBe('validation_failed');
      expect(error.details?.fields).toEqual(['text']);
    });

    it('delivers a valid DTO as a class instance with transform: true', async () => {
      expect(expectData(await router.dispatch(contextFor('transform', { text: 'quiet' })))).toEqual({
        isInstance: true,
        shout: 'QUIET',
      });
    });

    it('applies pipes given to @Payload(property, pipe)', async () => {
      expect(expectData(await router.dispatch(contextFor('param-pipe', { n: '41' })))).toEqual({ next: 42 });
      expect(expectError(await router.dispatch(contextFor('param-pipe', { n: 'abc' }))).code).toBe('bad_request');
    });
  });

  describe('interceptors and filters', () => {
    it('lets an interceptor wrap the result', async () => {
      expect(expectData(await router.dispatch(contextFor('wrapped', {})))).toEqual({
        wrapped: { v: 1 },
        type: 'duplex',
      });
    });

    it('maps a custom error class through @UseFilters (filter throws a DuplexError)', async () => {
      const error = expectError(await router.dispatch(contextFor('custom', {})));
      expect(error.code).toBe('custom_code');
      expect(error.message).toBe('custom failure');
      expect(error.details).toEqual({ action: 'custom' });
    });

    it('takes a DuplexError returned by the method-level filter', async () => {
      const error = expectError(await router.dispatch(contextFor('custom-returned', {})));
      expect(error.code).toBe('custom_returned');
      expect(error.message).toBe('returned failure');
    });
  });

  it('passes an error no filter covers through unchanged', async () => {
    const error = expectError(await router.dispatch(contextFor('custom-unfiltered', {})));
    expect(error.toData()).toEqual({ code: 'quota_exceeded', message: 'Too many' });
  });

  it('logs nothing for guard denials, validation failures, filtered errors and errors no filter covers', async () => {
    expect(expectError(await router.dispatch(contextFor('denied', {}))).code).toBe('forbidden');
    expect(expectError(await router.dispatch(contextFor('custom-unfiltered', {}))).code).toBe('quota_exceeded');
    expect(expectError(await router.dispatch(contextFor('validate', {}))).code).toBe('validation_failed');
    expect(expectError(await router.dispatch(contextFor('custom', {}))).code).toBe('custom_code');
    expect(errorLog).not.toHaveBeenCalled();
  });
});

@Injectable()
class UnpipedHandlers {
  @OnAction('global-validate')
  validate(@Payload() dto: EchoDto): EnvelopeData {
    return { text: dto.text };
  }
}

describe('a global pipe (APP_PIPE)', () => {
  let moduleRef: TestingModule;
  let router: ActionRouter;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [
        ActionExplorer,
        ActionRouter,
        ActionMetadataAccessor,
        UnpipedHandlers,
        { provide: APP_PIPE, useClass: ValidationPipe },
      ],
    }).compile();
    await moduleRef.init();
    router = moduleRef.get(ActionRouter);
  });

  afterAll(async () => {
    await moduleRef.close();
  });

  it('validates @Payload() DTOs of handlers without @UsePipes', async () => {
    const error = expectError(await router.dispatch(contextFor('global-validate', { text: 1 })));
    expect(error.code).toBe('validation_failed');
    expect(error.details?.fields).toEqual(['text']);
    expect(expectData(await router.dispatch(contextFor('global-validate', { text: 'fine' })))).toEqual({ text: 'fine' });
  });
});
