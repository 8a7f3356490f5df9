/** How the end of a gRPC call reads to the client: the close code of its reason, and the class of a failed attempt. */
import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { afterClose } from '../../close-codes.js';
import { closeCodeOf, linkEndOf } from './grpc-status.mapping.js';

const END = (code: Status, details = ''): { code: number; details: string } => ({ code, details });

describe('gRPC status → close code', () => {
  it('maps each server close reason back to its WebSocket code, and so to what the client does next', () => {
    const cases: Array<[Status, string, number, string]> = [
      [Status.OK, 'normal: goodbye', 1000, 'stop'],
      [Status.UNAVAILABLE, 'shutdown: the server is shutting down', 1001, 'resume'],
      [Status.DEADLINE_EXCEEDED, 'handshake_timeout', 1008, 'resume'],
      [Status.INVALID_ARGUMENT, 'protocol_error: too many frames', 1008, 'resume'],
      [Status.RESOURCE_EXHAUSTED, 'too_large: 2000000 bytes', 1009, 'resume'],
      [Status.INTERNAL, 'internal_error: broker down', 1011, 'resume'],
      [Status.RESOURCE_EXHAUSTED, 'session_limit', 1013, 'resume'],
      [Status.ABORTED, 'taken_over: session resumed on another connection', 4000, 'stop'],
      [Status.DEADLINE_EXCEEDED, 'heartbeat_timeout: nothing for 45000 ms', 4001, 'resume'],
      [Status.DATA_LOSS, 'outbox_overflow', 4002, 'resume'],
      [Status.NOT_FOUND, 'session_ended: expired', 4003, 'fresh'],
    ];
    for (const [status, details, code, after] of cases) {
      expect([details, closeCodeOf(END(status, details)), afterClose(closeCodeOf(END(status, details)))]).toEqual([details, code, after]);
    }
  });

  it('falls back on the status when the details name no reason, or one the status contradicts', () => {
    expect(closeCodeOf(END(Status.OK))).toBe(1000);
    expect(closeCodeOf(END(Status.ABORTED, 'something else'))).toBe(4000);
    expect(closeCodeOf(END(Status.UNAVAILABLE, 'Connection dropped'))).toBe(1001);
    expect(closeCodeOf(END(Status.RESOURCE_EXHAUSTED, 'Received message larger than max'))).toBe(1009);
    // `normal` on a failed call is not a goodbye: never stop for it.
    expect(closeCodeOf(END(Status.UNAVAILABLE, 'normal'))).toBe(1001);
    expect(closeCodeOf(END(Status.CANCELLED, 'Cancelled on server'))).toBe(1006);
    expect(closeCodeOf(END(Status.UNKNOWN, 'Received RST_STREAM with code 2'))).toBe(1006);
  });
});

describe('gRPC status before any message', () => {
  const before = (status: Status, details = ''): ReturnType<typeof linkEndOf> => linkEndOf(END(status, details), false, 'grpc://h:1');

  it('classifies what the status says about the attempt', () => {
    expect(before(Status.UNAVAILABLE, 'No connection established')).toMatchObject({
      close: { code: 1006 },
      failed: { failure: 'unreachable', error: { code: 'not_connected', message: expect.stringContaining('grpc://h:1') } },
    });
    expect(before(Status.UNAUTHENTICATED, 'bad token')).toMatchObject({ failed: { failure: 'refused', error: { code: 'unauthenticated', status: 401 } } });
    expect(before(Status.PERMISSION_DENIED)).toMatchObject({ failed: { failure: 'refused', error: { code: 'forbidden', status: 403 } } });
    expect(before(Status.UNIMPLEMENTED)).toMatchObject({ failed: { failure: 'blocked', error: { code: 'not_connected' } } });
  });

  it('leaves the rest to the client, which reads a full server from 1013', () => {
    expect(before(Status.RESOURCE_EXHAUSTED, 'session_limit')).toEqual({ close: { code: 1013, reason: 'session_limit' }, failed: undefined });
    expect(before(Status.DEADLINE_EXCEEDED)).toEqual({ close: { code: 1008, reason: 'DEADLINE_EXCEEDED' }, failed: undefined });
  });

  it('does not take a later UNAVAILABLE for an unreachable server', () => {
    expect(linkEndOf(END(Status.UNAVAILABLE, 'shutdown'), true, 'grpc://h:1')).toEqual({ close: { code: 1001, reason: 'shutdown' }, failed: undefined });
  });
});
