import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './typed-emitter.js';

interface Events {
  ping: [n: number];
  other: [];
}

describe('TypedEmitter', () => {
  it('calls listeners in order and stops calling removed ones', () => {
    const emitter = new TypedEmitter<Events>();
    const calls: string[] = [];
    const a = (n: number): void => void calls.push(`a${n}`);
    emitter.on('ping', a);
    emitter.on('ping', (n) => calls.push(`b${n}`));
    emitter.emit('ping', 1);
    emitter.off('ping', a);
    emitter.emit('ping', 2);
    expect(calls).toEqual(['a1', 'b1', 'b2']);
  });

  it('reports a throwing listener and still calls the next one', () => {
    const reported: Array<[unknown, string]> = [];
    const emitter = new TypedEmitter<Events>((error, event) => reported.push([error, String(event)]));
    let reached = false;
    emitter.on('other', () => {
      throw new Error('boom');
    });
    emitter.on('other', () => {
      reached = true;
    });
    expect(() => emitter.emit('other')).not.toThrow();
    expect(reached).toBe(true);
    expect(reported).toEqual([[new Error('boom'), 'other']]);
  });
});
