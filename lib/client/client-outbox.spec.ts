import { describe, expect, it } from 'vitest';
import { PreparedMessage } from '../envelope/prepared-message.js';
import { ClientOutbox } from './client-outbox.js';

function message(id: string): PreparedMessage {
  return new PreparedMessage({ id, type: 'notification', action: 'a', data: {}, timestamp: 1 });
}

function drain(outbox: ClientOutbox): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let e = outbox.takeNext(); e; e = outbox.takeNext()) out.push([e.id, e.seq]);
  return out;
}

describe('ClientOutbox', () => {
  it('numbers messages when they are first sent, in queue order', () => {
    const outbox = new ClientOutbox(10);
    outbox.enqueue(message('a'));
    outbox.enqueue(message('b'));
    expect(drain(outbox)).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    outbox.enqueue(message('c'));
    expect(drain(outbox)).toEqual([['c', 3]]);
    expect(outbox.lastSeq).toBe(3);
  });

  it('keeps sent messages until a cumulative ack covers them', () => {
    const outbox = new ClientOutbox(10);
    ['a', 'b', 'c'].forEach((id) => outbox.enqueue(message(id)));
    drain(outbox);
    outbox.ack(2);
    expect(outbox.unacked().map((e) => [e.id, e.seq])).toEqual([['c', 3]]);
    outbox.ack(1); // an older ack changes nothing
    expect(outbox.size).toBe(1);
    outbox.ack(99);
    expect(outbox.size).toBe(0);
  });

  it('throws outbox_overflow when sent-but-unacked plus queued reach the bound', () => {
    const outbox = new ClientOutbox(2);
    outbox.enqueue(message('a'));
    drain(outbox);
    outbox.enqueue(message('b'));
    expect(() => outbox.enqueue(message('c'))).toThrow(expect.objectContaining({ code: 'outbox_overflow' }));
    outbox.ack(1);
    expect(() => outbox.enqueue(message('c'))).not.toThrow();
  });

  it('withdraws only messages that were never sent', () => {
    const outbox = new ClientOutbox(10);
    outbox.enqueue(message('sent'));
    drain(outbox);
    outbox.enqueue(message('queued'));
    expect(outbox.cancel('sent')).toBe(false);
    expect(outbox.cancel('queued')).toBe(true);
    expect(outbox.size).toBe(1);
  });

  it('drops sent messages on a lost session and numbers the queued ones from 1 again', () => {
    const outbox = new ClientOutbox(10);
    ['a', 'b'].forEach((id) => outbox.enqueue(message(id)));
    drain(outbox);
    outbox.enqueue(message('later'));
    expect(outbox.dropSent().map((e) => e.id)).toEqual(['a', 'b']);
    expect(drain(outbox)).toEqual([['later', 1]]);
  });

  it('clear() forgets everything', () => {
    const outbox = new ClientOutbox(10);
    outbox.enqueue(message('a'));
    drain(outbox);
    outbox.enqueue(message('b'));
    expect(outbox.clear().map((e) => e.id)).toEqual(['a', 'b']);
    expect(outbox.size).toBe(0);
    outbox.enqueue(message('c'));
    expect(drain(outbox)).toEqual([['c', 1]]);
  });
});
