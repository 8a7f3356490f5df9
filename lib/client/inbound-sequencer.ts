/**
 * Decides what to do with a sequenced server message (docs/protocol.md §5): deliver it, drop it as a
 * duplicate, or flag a gap. Only `deliver` advances the position, so each seq is handled once.
 */

export type SeqVerdict = 'deliver' | 'duplicate' | 'gap';

export class InboundSequencer {
  private last = 0;

  /** The highest seq delivered: what the client acks and sends as `last_seq` when resuming. */
  get lastProcessed(): number {
    return this.last;
  }

  accept(seq: number): SeqVerdict {
    if (seq <= this.last) return 'duplicate';
    if (seq !== this.last + 1) return 'gap';
    this.last = seq;
    return 'deliver';
  }

  /** A fresh session numbers from 1 again. */
  reset(): void {
    this.last = 0;
  }
}
