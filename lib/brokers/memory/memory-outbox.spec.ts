import { describe, expect, it } from 'vitest';
import { PreparedMessage } from '../../envelope/prepared-message.js';
import { MemoryOutbox } from './memory-outbox.js';

const msg = (n: number, pad = '') =>
  new PreparedMessage({ id: `m${n}`, type: 'notification', action: 'a', data: { n, pad }, timestamp: 0 });
const roomy = { maxMessages: 100_000, maxBytes: 1e9 };

describe('MemoryOutbox', () => {
  it('numbers appends densely from 1, reads after a seq and trims on ack', () => {
    const box = new MemoryOutbox();
    for (let i = 1; i <= 5; i++) expect(box.append(msg(i), roomy)).toBe(i);
    expect(box.read(2, 10).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(box.read(0, 2).map((e) => e.seq)).toEqual([1, 2]);
    box.trim(3);
    expect(box.read(0, 10).map((e) => e.seq)).toEqual([4, 5]);
    expect(box.usage().messages).toBe(2);
    expect([box.lastSeq, box.trimmed]).toEqual([5, 3]);
    expect(box.at(3)).toBeUndefined();
    expect(box.at(4)?.id).toBe('m4');
  });

  it('keeps seq numbers right across compaction', () => {
    const box = new MemoryOutbox();
    for (let i = 1; i <= 3000; i++) box.append(msg(i), roomy);
    box.trim(2500);
    expect(box.read(2500, 3).map((e) => [e.seq, e.message.id])).toEqual([
      [2501, 'm2501'],
      [2502, 'm2502'],
      [2503, 'm2503'],
    ]);
    expect(box.append(msg(3001), roomy)).toBe(3001);
    expect(box.usage().messages).toBe(501);
    expect(box.trimmed).toBe(2500);
  });

  it('refuses an append past maxMessages or maxBytes', () => {
    const box = new MemoryOutbox();
    const two = { maxMessages: 2, maxBytes: 1e6 };
    box.append(msg(1), two);
    box.append(msg(2), two);
    expect(box.append(msg(3), two)).toBe(0);
    box.trim(1);
    expect(box.append(msg(3), two)).toBe(3);
    const small = new MemoryOutbox();
    const bytes = { maxMessages: 100, maxBytes: 200 };
    expect(small.append(msg(1, 'x'.repeat(100)), bytes)).toBe(1);
    expect(small.append(msg(2, 'x'.repeat(100)), bytes)).toBe(0);
  });
});
