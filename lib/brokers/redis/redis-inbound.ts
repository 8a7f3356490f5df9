import type { BrokerInbound, InboundOffer, InboundVerdict } from '../broker.js';
import type { RedisContext } from './redis-context.js';
import { runScript } from './redis-scripts.js';

/** The client → server ledger: the highest client seq and the window of recent ids, checked and recorded in one script. */
export class RedisInbound implements BrokerInbound {
  constructor(private readonly ctx: RedisContext) {}

  async accept(sessionId: string, offer: InboundOffer): Promise<InboundVerdict> {
    const k = this.ctx.keys.session(sessionId);
    const reply = (await runScript(this.ctx.client, 'accept', [k.record, k.recent, k.recentOrder], [
      offer.seq === undefined ? '' : offer.seq,
      offer.id ?? '',
      offer.window,
    ])) as [string, number?, number?];
    const [kind, a = 0, b = 0] = reply;
    switch (kind) {
      case 'new':
      case 'duplicate':
        return { kind, inboundSeq: Number(a) };
      case 'seen':
        return { kind, inboundSeq: Number(a), answerSeq: Number(b) };
      case 'gap':
        return { kind, expected: Number(a) };
      default:
        return { kind: 'missing' };
    }
  }
}
