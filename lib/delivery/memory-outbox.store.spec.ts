import { describe, expect, it } from 'vitest';
import { PreparedMessage } from '../envelope/prepared-message.js';
import { MemoryOutboxStore } from './memory-outbox.store.js';

const msg = (n: number, pad = '') =>
  new PreparedMessage({ id: `m${n}`, type: 'notification', action: 'a', data: { n, pad }, timestamp: 0 });

describe('MemoryOutboxStore', () => {
  it('numbers appends densely from 1, reads after a seq and trims on ack', async () => {
    const store = new MemoryOutboxStore({ maxMessages: 100, maxBytes: 1e6 });
    await store.create('s');
    for (let i = 1; i <= 5; i++) expect(await store.append('s', msg(i))).toEqual({ ok: true, seq: i });
    expect((await store.read('s', 2, 10)).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect((await store.read('s', 0, 2)).map((e) => e.seq)).toEqual([1, 2]);
    await store.trim('s', 3);
    expect((await store.read('s', 0, 10)).map((e) => e.seq)).toEqual([4, 5]);
    expect(store.usage('s').messages).toBe(2);
    expect(await store.lastSeq('s')).toBe(5);
  });

  it('keeps seq numbers right across compaction', async () => {
    const store = new MemoryOutboxStore({ maxMessages: 5000, maxBytes: 1e9 });
    await store.create('s');
    for (let i = 1; i <= 3000; i++) await store.append('s', msg(i));
    await store.trim('s', 2500);
    expect((await store.read('s', 2500, 3)).map((e) => [e.seq, e.message.body.data.n])).toEqual([
      [2501, 2501],
      [2502, 2502],
      [2503, 2503],
    ]);
    expect(await store.append('s', msg(3001))).toEqual({ ok: true, seq: 3001 });
    expect(store.usage('s').messages).toBe(501);
  });

  it('refuses an append past maxMessages or maxBytes, and for an unknown session', async () => {
    const store = new MemoryOutboxStore({ maxMessages: 2, maxBytes: 1e6 });
    await store.create('s');
    await store.append('s', msg(1));
    await store.append('s', msg(2));
    expect(await store.append('s', msg(3))).toEqual({ ok: false, reason: 'overflow' });
    await store.trim('s', 1);
    expect(await store.append('s', msg(3))).toEqual({ ok: true, seq: 3 });
    expect(await store.append('nope', msg(1))).toEqual({ ok: false, reason: 'missing' });

    const small = new MemoryOutboxStore({ maxMessages: 100, maxBytes: 200 });
    await small.create('s');
    expect((await small.append('s', msg(1, 'x'.repeat(100)))).ok).toBe(true);
    expect(await small.append('s', msg(2, 'x'.repeat(100)))).toEqual({ ok: false, reason: 'overflow' });
  });
});
