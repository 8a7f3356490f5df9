import {
  type ArgumentMetadata,
  Body,
  Controller,
  createParamDecorator,
  Get,
  Injectable,
  Module,
  type PipeTransform,
  Post,
  Query,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvelopeData } from '../envelope/envelope.js';
import { RESOLVED_ARGS_METADATA } from './action.constants.js';
import { ActionExplorer } from './action.explorer.js';
import { ActionMetadataAccessor } from './action-metadata.accessor.js';
import { ActionRouter, type DispatchOutcome } from './action.router.js';
import type { DuplexContext } from './duplex-context.js';
import { Payload } from './duplex-params.decorators.js';
import { OnAction } from './on-action.decorator.js';

function contextFor(action: string, data: EnvelopeData = {}): DuplexContext {
  return {
    sessionId: 's-1',
    principal: null,
    handshake: { transport: 'websocket', headers: {}, query: {}, remoteAddress: undefined },
    envelope: { id: 'm-1', type: 'request', action, data, timestamp: 1, session_id: 's-1' },
  };
}

function dataOf(outcome: DispatchOutcome): EnvelopeData {
  if (!outcome.ok) throw new Error(`expected data, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.data;
}

const CORE = [ActionExplorer, ActionRouter, ActionMetadataAccessor];
let moduleRef: TestingModule | undefined;

async function start(metadata: { imports?: unknown[]; providers?: unknown[]; controllers?: unknown[] }): Promise<ActionRouter> {
  moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule, ...((metadata.imports ?? []) as never[])],
    providers: [...CORE, ...((metadata.providers ?? []) as never[])],
    controllers: (metadata.controllers ?? []) as never[],
  }).compile();
  await moduleRef.init();
  return moduleRef.get(ActionRouter);
}

async function startupError(metadata: { providers?: unknown[]; controllers?: unknown[] }): Promise<Error> {
  const failure = await start(metadata).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(failure instanceof Error)) throw new Error('expected start-up to fail');
  return failure;
}

afterEach(async () => {
  await moduleRef?.close();
  moduleRef = undefined;
});

@Controller('notes')
class HybridController {
  @Post()
  @OnAction('note.create')
  create(@Body() body: unknown, @Payload() payload: unknown): EnvelopeData {
    return { body: body ?? 'none', payload: payload ?? 'none' };
  }

  @Get('search')
  @OnAction('note.search')
  search(@Query() query: unknown, @Payload('q') q: unknown): EnvelopeData {
    return { query: query ?? 'none', q: q ?? 'none' };
  }
}

describe('duplex parameters never alias Nest HTTP parameters', () => {
  it('gives @Query() of a method that is also a route nothing over duplex, not the envelope', async () => {
    const router = await start({ controllers: [HybridController] });
    expect(dataOf(await router.dispatch(contextFor('note.search', { q: 'cats' })))).toEqual({ query: 'none', q: 'cats' });
  });

  it('gives @Body() of a method that is also a route nothing over duplex, and @Payload() the data', async () => {
    const router = await start({ controllers: [HybridController] });
    expect(dataOf(await router.dispatch(contextFor('note.create', { title: 't' })))).toEqual({
      body: 'none',
      payload: { title: 't' },
    });
  });
});

@Injectable()
class QueryOnAction {
  @OnAction('lookup')
  lookup(@Payload('id') _id: string, @Query() _query: unknown): void {}
}

const CurrentUser = createParamDecorator((_data: unknown, _context) => 'user');

@Injectable()
class CustomParamOnAction {
  @OnAction('custom-a')
  @OnAction('custom-b')
  custom(@CurrentUser() _user: unknown, @Body() _body: unknown): void {}
}

@Injectable()
class GatewayLike {
  @SubscribeMessage('ws-message')
  @OnAction('ws-action')
  handle(@MessageBody() body: unknown, @Payload() payload: unknown): EnvelopeData {
    return { body: body ?? 'none', payload: payload ?? 'none' };
  }
}

describe('Nest parameter decorators on an @OnAction method that is not a route', () => {
  it('refuses @Query() at start-up, naming the method, the action and the parameter', async () => {
    const error = await startupError({ providers: [QueryOnAction] });
    expect(error.message).toContain('QueryOnAction.lookup');
    expect(error.message).toContain('@OnAction("lookup")');
    expect(error.message).toContain('parameter 1 has a decorator');
    expect(error.message).toContain('@Payload()');
  });

  it('refuses createParamDecorator() decorators and @Body() too, listing every parameter and action', async () => {
    const error = await startupError({ providers: [CustomParamOnAction] });
    expect(error.message).toContain('CustomParamOnAction.custom (@OnAction("custom-b", "custom-a"))');
    expect(error.message).toContain('parameters 0, 1 have decorators');
  });

  it('accepts them on a @SubscribeMessage() method, where that layer resolves them', async () => {
    const router = await start({ providers: [GatewayLike] });
    expect(dataOf(await router.dispatch(contextFor('ws-action', { n: 1 })))).toEqual({ body: 'none', payload: { n: 1 } });
  });
});

/* Pipe classes given to @Payload() */

@Injectable()
class Multiplier {
  readonly factor = 10;
}

@Injectable()
class ScalePipe implements PipeTransform {
  static instances = 0;

  constructor(private readonly multiplier: Multiplier) {
    ScalePipe.instances += 1;
  }

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    return { scaled: Number(value) * this.multiplier.factor, type: metadata.type, data: metadata.data };
  }
}

@Injectable()
class ScaledHandlers {
  @OnAction('scale')
  scale(@Payload('n', ScalePipe) n: unknown): EnvelopeData {
    return { n };
  }

  @OnAction('scale-again')
  scaleAgain(@Payload('m', { pipes: [ScalePipe] }) m: unknown): EnvelopeData {
    return { m };
  }
}

/** Multiplier is a provider of this module only: the pipe must be built here, not in the explorer's module. */
@Module({ providers: [Multiplier, ScaledHandlers] })
class ScaleModule {}

describe('pipe classes given to duplex parameter decorators', () => {
  it("are instantiated once per module, with the providers of the handler's module", async () => {
    ScalePipe.instances = 0;
    const router = await start({ imports: [ScaleModule] });
    // Nest names the numeric type 3 'body' in ArgumentMetadata, as for @Payload() of @nestjs/microservices.
    expect(dataOf(await router.dispatch(contextFor('scale', { n: 4 })))).toEqual({ n: { scaled: 40, type: 'body', data: 'n' } });
    expect(dataOf(await router.dispatch(contextFor('scale-again', { m: 2 })))).toEqual({ m: { scaled: 20, type: 'body', data: 'm' } });
    expect(ScalePipe.instances).toBe(1);
  });

  it('leave no metadata of their own on the handler class after start-up', async () => {
    await start({ imports: [ScaleModule] });
    expect(Reflect.getMetadataKeys(ScaledHandlers, 'scale')).not.toContain(RESOLVED_ARGS_METADATA);
  });
});
