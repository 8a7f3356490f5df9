import { describe, expect, it } from 'vitest';
import { RecentRequests } from './recent-requests.js';

describe('RecentRequests', () => {
  it('remembers the last N ids and forgets the oldest first', () => {
    const recent = new RecentRequests(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) recent.add(id, { answerSeq: id.charCodeAt(0) });
    expect(recent.size).toBe(3);
    expect(recent.get('a')).toBeUndefined();
    expect(recent.get('b')).toBeUndefined();
    expect(recent.get('c')).toEqual({ answerSeq: 99 });
    expect(recent.get('e')).toEqual({ answerSeq: 101 });
    recent.add('f', { answerSeq: 0 });
    expect(recent.get('c')).toBeUndefined();
    expect(recent.get('d')).toBeDefined();
  });
});
