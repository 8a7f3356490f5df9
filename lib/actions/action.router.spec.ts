import { Logger } from '@nestjs/common';
import { EMPTY, of, throwError } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DuplexError } from '../envelope/duplex.error.js';
import type { EnvelopeData } from '../envelope/envelope.js';
import { ActionRouter, type DispatchOutcome } from './action.router.js';
import type { DuplexContext } from './duplex-context.js';

function contextFor(action: string, data: EnvelopeData = {}): DuplexContext {
  return {
    sessionId: 's-1',
    principal: { id: 'u-1' },
    handshake: { transport: 'websocket', headers: {}, query: {}, remoteAddress: undefined },
    envelope: { id: 'm-1', type: 'request', action, data, timestamp: 1, session_id: 's-1' },
  };
}

function errorOf(outcome: DispatchOutcome): DuplexError {
  if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.data)}`);
  return outcome.error;
}

describe('ActionRouter', () => {
  let router: ActionRouter;
  let errorLog: ReturnType<typeof vi.spyOn>;

  beforeEach(() => {
    router = new ActionRouter();
    errorLog = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('registerCallback', () => {
    it('echoes through a run-time handler, which gets (data, context)', async () => {
      const seen: unknown[] = [];
      router.registerCallback('echo', (data, context) => {
        seen.push(context.sessionId);
        return data;
      });
      expect(router.has('echo')).toBe(true);
      expect(await router.dispatch(contextFor('echo', { text: 'hi' }))).toEqual({ ok: true, data: { text: 'hi' } });
      expect(seen).toEqual(['s-1']);
    });

    it('names itself as the origin in a duplicate error', () => {
      router.register('taken', () => ({}), 'EchoHandler.echo');
      expect(() => router.registerCallback('taken', () => ({}))).toThrow(
        /"taken".*registerCallback\('taken'\).*EchoHandler\.echo/,
      );
    });
  });

  describe('register', () => {
    it('rejects a duplicate action naming both origins', () => {
      router.register('dup', () => ({}), 'A.one');
      expect(() => router.register('dup', () => ({}), 'B.two')).toThrow(/"dup".*B\.two.*A\.one/);
    });

    it.each(['', '$hello', '$anything', 'x'.repeat(129)])('rejects the action name %j', (name) => {
      expect(() => router.register(name, () => ({}), 'Origin.method')).toThrow(/Origin\.method: invalid action name/);
      expect(router.has(name)).toBe(false);
    });
  });

  describe('dispatch results', () => {
    it.each<[string, () => unknown, EnvelopeData]>([
      ['a plain object', () => ({ a: 1 }), { a: 1 }],
      ['undefined', () => undefined, {}],
      ['null', () => null, {}],
      ['a string', () => 'text', { value: 'text' }],
      ['a number', () => 0, { value: 0 }],
      ['a boolean', () => false, { value: false }],
      ['an array', () => [1, 2], { value: [1, 2] }],
      ['a Promise of an object', async () => ({ later: true }), { later: true }],
      ['a Promise of a primitive', async () => 7, { value: 7 }],
      ['an Observable (last value)', () => of({ n: 1 }, { n: 2 }), { n: 2 }],
      ['an empty Observable', () => EMPTY, {}],
    ])('maps %s', async (_label, handler, expected) => {
      router.registerCallback('act', handler);
      expect(await router.dispatch(contextFor('act'))).toEqual({ ok: true, data: expected });
    });

    it('wraps a Date as { value }', async () => {
      const when = new Date(0);
      router.registerCallback('when', () => when);
      expect(await router.dispatch(contextFor('when'))).toEqual({ ok: true, data: { value: when } });
    });

    it('turns a returned DuplexError into an error outcome', async () => {
      const error = new DuplexError('nope', 'Not today');
      router.registerCallback('refuse', () => error);
      expect(await router.dispatch(contextFor('refuse'))).toEqual({ ok: false, error });
    });
  });

  describe('dispatch failures', () => {
    it('answers unknown_action naming the action', async () => {
      const error = errorOf(await router.dispatch(contextFor('nobody')));
      expect(error.code).toBe('unknown_action');
      expect(error.message).toContain('"nobody"');
    });

    it('passes a thrown DuplexError through without logging', async () => {
      router.registerCallback('typed', () => {
        throw new DuplexError('quota', 'Slow down', { retry_ms: 100 });
      });
      expect(errorOf(await router.dispatch(contextFor('typed'))).toData()).toEqual({
        code: 'quota',
        message: 'Slow down',
        retry_ms: 100,
      });
      expect(errorLog).not.toHaveBeenCalled();
    });

    it.each<[string, () => unknown]>([
      ['a synchronous throw', () => { throw new Error('secret-sync'); }],
      ['a rejected Promise', () => Promise.reject(new Error('secret-async'))],
      ['an erroring Observable', () => throwError(() => new Error('secret-stream'))],
      ['a thrown non-Error', () => { throw 'secret-string'; }],
    ])('answers internal for %s, logs it once and leaks nothing', async (_label, handler) => {
      router.registerCallback('bad', handler);
      const outcome = await router.dispatch(contextFor('bad'));
      const error = errorOf(outcome);
      expect(error.toData()).toEqual({ code: 'internal', message: 'Internal server error' });
      expect(errorLog).toHaveBeenCalledTimes(1);
      expect(String(errorLog.mock.calls[0]?.[0])).toMatch(/registerCallback\('bad'\).*secret-/);
    });

    it('never rejects, even for a malformed context', async () => {
      const outcome = await router.dispatch(undefined as unknown as DuplexContext);
      expect(outcome.ok).toBe(false);
      expect(errorOf(outcome).code).toBe('internal');
    });
  });
});
