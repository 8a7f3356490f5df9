import {
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  Catch,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  Injectable,
  type INestApplication,
  Logger,
  type NestInterceptor,
  Scope,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { map, type Observable } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DuplexError } from '../envelope/duplex.error.js';
import type { EnvelopeData } from '../envelope/envelope.js';
import { ActionExplorer } from './action.explorer.js';
import { ActionMetadataAccessor } from './action-metadata.accessor.js';
import { ActionRouter } from './action.router.js';
import { type DuplexContext, getDuplexContext } from './duplex-context.js';
import { Payload } from './duplex-params.decorators.js';
import { OnAction } from './on-action.decorator.js';

function contextFor(action: string, data: EnvelopeData = {}, principal: unknown = null): DuplexContext {
  return {
    sessionId: 's-1',
    principal,
    handshake: { transport: 'websocket', headers: {}, query: {}, remoteAddress: undefined },
    envelope: { id: 'm-1', type: 'request', action, data, timestamp: 1, session_id: 's-1' },
  };
}

const CORE = [ActionExplorer, ActionRouter, ActionMetadataAccessor];

async function routerFor(providers: unknown[], controllers: unknown[] = []) {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [...CORE, ...providers] as never[],
    controllers: controllers as never[],
  }).compile();
  await moduleRef.init();
  return { moduleRef, router: moduleRef.get(ActionRouter) };
}

@Injectable()
class FirstHandlers {
  @OnAction('shared')
  a(): EnvelopeData {
    return { from: 'first' };
  }
}

@Injectable()
class SecondHandlers {
  @OnAction('shared')
  b(): EnvelopeData {
    return { from: 'second' };
  }
}

@Injectable()
class MultiHandlers {
  @OnAction('alias-one')
  @OnAction('alias-two')
  both(@Payload('n') n: number): EnvelopeData {
    return { n };
  }

  notAHandler(): string {
    return 'never registered';
  }
}

@Controller()
class ControllerHandlers {
  @OnAction('from-controller')
  handle(): EnvelopeData {
    return { controller: true };
  }
}

@Injectable({ scope: Scope.REQUEST })
class ScopedHandlers {
  @OnAction('scoped')
  handle(): EnvelopeData {
    return {};
  }
}

class BaseHandlers {
  @OnAction('inherited')
  inherited(): EnvelopeData {
    return { who: this.constructor.name };
  }
}

@Injectable()
class DerivedHandlers extends BaseHandlers {}

describe('ActionExplorer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('registers @OnAction methods of providers and controllers, under every stacked name', async () => {
    const { moduleRef, router } = await routerFor([MultiHandlers, DerivedHandlers], [ControllerHandlers]);
    expect(router.has('alias-one')).toBe(true);
    expect(router.has('alias-two')).toBe(true);
    expect(router.has('from-controller')).toBe(true);
    expect(router.has('notAHandler')).toBe(false);

    expect(await router.dispatch(contextFor('alias-two', { n: 7 }))).toEqual({ ok: true, data: { n: 7 } });
    expect(await router.dispatch(contextFor('from-controller'))).toEqual({ ok: true, data: { controller: true } });
    expect(await router.dispatch(contextFor('inherited'))).toEqual({ ok: true, data: { who: 'DerivedHandlers' } });
    await moduleRef.close();
  });

  it('fails start-up on a duplicate action, naming the action and both handlers', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [...CORE, FirstHandlers, SecondHandlers],
    }).compile();
    const failure = await moduleRef.init().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain('"shared"');
    expect(message).toContain('FirstHandlers.a');
    expect(message).toContain('SecondHandlers.b');
    await moduleRef.close();
  });

  it('warns about, and skips, handlers on request-scoped providers', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { moduleRef, router } = await routerFor([ScopedHandlers]);
    expect(router.has('scoped')).toBe(false);
    const warnings = warn.mock.calls.map((call) => String(call[0]));
    expect(warnings.filter((line) => line.includes('ScopedHandlers.handle') && line.includes('"scoped"'))).toHaveLength(1);
    await moduleRef.close();
  });

  it('answers unknown_action for an action nobody registered', async () => {
    const { moduleRef, router } = await routerFor([]);
    const outcome = await router.dispatch(contextFor('missing'));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('unknown_action');
    await moduleRef.close();
  });
});

/* app.useGlobalGuards / useGlobalInterceptors / useGlobalFilters */

class Teapot extends Error {}

@Injectable()
class OnlyAdminsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() !== 'duplex') return true;
    return getDuplexContext<{ admin: boolean } | null>(context)?.principal?.admin === true;
  }
}

@Injectable()
class StampInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value) => ({ ...(value as object), stamped: true })));
  }
}

@Catch(Teapot)
class TeapotFilter implements ExceptionFilter {
  catch(_error: Teapot, host: ArgumentsHost): DuplexError {
    return new DuplexError('teapot', `short and stout (${host.getType()})`);
  }
}

@Injectable()
class GlobalHandlers {
  @OnAction('hello')
  hello(): EnvelopeData {
    return { hello: 'world' };
  }

  @OnAction('brew')
  brew(): never {
    throw new Teapot('I am a teapot');
  }
}

describe('global enhancers set with app.useGlobal*()', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('apply to @OnAction handlers', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [...CORE, GlobalHandlers],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalGuards(new OnlyAdminsGuard());
    app.useGlobalInterceptors(new StampInterceptor());
    app.useGlobalFilters(new TeapotFilter());
    await app.init();
    const router = app.get(ActionRouter);

    const denied = await router.dispatch(contextFor('hello', {}, { admin: false }));
    expect(!denied.ok && denied.error.code).toBe('forbidden');

    expect(await router.dispatch(contextFor('hello', {}, { admin: true }))).toEqual({
      ok: true,
      data: { hello: 'world', stamped: true },
    });

    const brewed = await router.dispatch(contextFor('brew', {}, { admin: true }));
    expect(brewed.ok).toBe(false);
    expect(!brewed.ok && brewed.error.toData()).toEqual({ code: 'teapot', message: 'short and stout (duplex)' });
  });
});
