import { PreparedMessage } from '../../lib/envelope/prepared-message.js';
import type { LinkHolder, NodeEvent, SessionRecord } from '../../lib/brokers/broker.js';

/** What the broker specs build their calls from. */
export const ROOMY = { maxMessages: 1000, maxBytes: 1_000_000 };
export const LIMITS = { maxSessions: 1000, ttlMs: 60_000 };

export const record = (id: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  tokenHash: `hash-of-${id}`,
  identity: `user-${id}`,
  principal: { id: `user-${id}`, roles: ['a'] },
  epoch: `epoch-${id}`,
  createdAt: 1_700_000_000_000,
  ...extra,
});
export const message = (n: number, text = '') => new PreparedMessage({ id: `m${n}`, type: 'notification', action: 'n', data: { n, text }, timestamp: 1.5 });
export const holder = (node: string, link: string): LinkHolder => ({ node, link, transport: 'websocket' });

/** Node events as a node receives them, waited for with a deadline. */
export class NodeLog {
  readonly events: NodeEvent[] = [];
  private readonly waiters = new Set<() => void>();

  readonly listener = (event: NodeEvent): void => {
    this.events.push(event);
    for (const wake of this.waiters) wake();
  };

  async next(match: (event: NodeEvent) => boolean, timeoutMs = 5000): Promise<NodeEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No matching node event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.waiters.add(done);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      }).finally(() => this.waiters.clear());
    }
  }
}
