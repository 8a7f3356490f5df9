import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AuthResult } from '../connection.authenticator.js';
import { authenticateWithin, refuseUpgrade, UNAUTHORIZED } from './upgrade.gate.js';

const never = new Promise<AuthResult>(() => undefined);

describe('authenticateWithin', () => {
  it("gives authenticate's answer and leaves no listener behind", async () => {
    const socket = new PassThrough();
    const listeners = socket.listenerCount('close');
    await expect(authenticateWithin(Promise.resolve({ ok: true, principal: 'p' }), socket, 10_000)).resolves.toEqual({ ok: true, principal: 'p' });
    expect(socket.listenerCount('close')).toBe(listeners);
  });

  it('answers timed-out past the deadline, and a later answer changes nothing', async () => {
    const socket = new PassThrough();
    let answer: (result: AuthResult) => void = () => undefined;
    const late = new Promise<AuthResult>((resolve) => (answer = resolve));
    await expect(authenticateWithin(late, socket, 20)).resolves.toBe('timed-out');
    answer({ ok: true, principal: 'late' });
    await late;
    expect(socket.listenerCount('close')).toBe(0);
  });

  it('answers closed when the socket closes first, without waiting for the deadline', async () => {
    const socket = new PassThrough();
    const outcome = authenticateWithin(never, socket, 2 ** 31 - 1);
    socket.destroy();
    await expect(outcome).resolves.toBe('closed');
    await expect(authenticateWithin(never, socket, 2 ** 31 - 1)).resolves.toBe('closed');
  });

  it('reads a rejected authentication as a refusal', async () => {
    await expect(authenticateWithin(Promise.reject(new Error('x')), new PassThrough(), 10_000)).resolves.toEqual({ ok: false });
  });
});

describe('refuseUpgrade', () => {
  it('writes the response, then destroys the socket instead of leaving it half-open', async () => {
    const socket = new PassThrough();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    refuseUpgrade(socket, UNAUTHORIZED);
    expect(socket.read()?.toString()).toBe(UNAUTHORIZED);
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('destroys a socket whose writable side was already ended, and ignores a destroyed one', () => {
    const ended = new PassThrough();
    ended.end();
    refuseUpgrade(ended, UNAUTHORIZED);
    expect(ended.destroyed).toBe(true);
    expect(() => refuseUpgrade(ended, UNAUTHORIZED)).not.toThrow();
  });
});
