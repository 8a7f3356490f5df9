import { describe, expect, it } from 'vitest';
import { InboundSequencer } from './inbound-sequencer.js';

describe('InboundSequencer', () => {
  it('delivers each seq once, in order, and flags duplicates and gaps', () => {
    const sequencer = new InboundSequencer();
    expect([1, 2, 2, 1, 3].map((s) => sequencer.accept(s))).toEqual(['deliver', 'deliver', 'duplicate', 'duplicate', 'deliver']);
    expect(sequencer.accept(5)).toBe('gap');
    // A gap does not advance: the missing message is still expected.
    expect(sequencer.lastProcessed).toBe(3);
    expect(sequencer.accept(4)).toBe('deliver');
  });

  it('starts again at 1 after reset (a fresh session)', () => {
    const sequencer = new InboundSequencer();
    sequencer.accept(1);
    sequencer.reset();
    expect(sequencer.lastProcessed).toBe(0);
    expect(sequencer.accept(2)).toBe('gap');
    expect(sequencer.accept(1)).toBe('deliver');
  });
});
