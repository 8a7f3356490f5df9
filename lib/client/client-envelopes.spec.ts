import { describe, expect, it } from 'vitest';
import { DuplexError } from '../envelope/duplex.error.js';
import { checkOutgoing, fromErrorData, makeHello, prepareMessage, toErrorData, toResponseData } from './client-envelopes.js';
import { parseWelcome } from './welcome.js';

describe('client envelopes', () => {
  it('shapes handler results as the protocol says', () => {
    expect(toResponseData(undefined)).toEqual({});
    expect(toResponseData(null)).toEqual({});
    expect(toResponseData({ a: 1 })).toEqual({ a: 1 });
    expect(toResponseData([1])).toEqual({ value: [1] });
    expect(toResponseData('s')).toEqual({ value: 's' });
  });

  it('keeps a DuplexError code and hides anything else behind internal', () => {
    expect(toErrorData(new DuplexError('conflict', 'Taken', { id: 3 }))).toEqual({ code: 'conflict', message: 'Taken', id: 3 });
    expect(toErrorData(new Error('stack detail'))).toEqual({ code: 'internal', message: 'Internal error' });
  });

  it('reads error data into a DuplexError, unknown codes included', () => {
    const error = fromErrorData({ code: 'my_code', message: 'm', status: 409, extra: true });
    expect(error).toMatchObject({ code: 'my_code', message: 'm', status: 409, details: { extra: true } });
    expect(fromErrorData({})).toMatchObject({ code: 'internal' });
  });

  it('refuses reserved or empty actions, non-object data and data that is not JSON', () => {
    expect(() => checkOutgoing('$hello', {})).toThrow(/reserved/);
    expect(() => checkOutgoing('', {})).toThrow(/action/);
    expect(() => checkOutgoing('a', [] as unknown)).toThrow(/data/);
    expect(() => prepareMessage('notification', 'a', { n: 1n })).toThrow(expect.objectContaining({ code: 'bad_envelope' }));
  });

  it('puts the resume fields in the hello only when resuming', () => {
    expect(makeHello(undefined)).toMatchObject({ type: 'request', action: '$hello', data: {}, session_id: '' });
    expect(makeHello({ sessionId: 's', resumeToken: 't', lastSeq: 4 }).data).toEqual({ session_id: 's', resume_token: 't', last_seq: 4 });
  });

  it('parses a welcome, with the protocol defaults for missing timings', () => {
    expect(parseWelcome({ session_id: 's', resume_token: 't', resumed: true, last_seq: 3 })).toEqual({
      sessionId: 's',
      resumeToken: 't',
      resumed: true,
      lastSeq: 3,
      heartbeat: { intervalMs: 25_000, timeoutMs: 20_000 },
      ack: { intervalMs: 50, maxMessages: 32 },
      maxPayload: 1048576,
    });
    expect(parseWelcome({ session_id: '' })).toBeInstanceOf(DuplexError);
    expect(parseWelcome({ session_id: 's', resume_token: 't', resume_error: { code: 'forbidden', message: 'no' } })).toMatchObject({
      resumeError: { code: 'forbidden', message: 'no' },
    });
  });
});
