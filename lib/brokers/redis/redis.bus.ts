import { Logger } from '@nestjs/common';
import type { BrokerBus, NodeEvent } from '../broker.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisClient } from './redis-scripts.js';

/**
 * What travels on a channel: one event, or wake-ups for many sessions at once (a broadcast
 * wakes each node once). `x` names a node that must not act on it (the one that appended).
 */
type BusMessage = { e: NodeEvent } | { w: string[]; x?: string };

/**
 * Node-to-node events over Redis pub/sub: a channel per node and one for all, on a subscriber
 * connection of its own. Pub/sub is at most once: every event is a hint, and what it points at
 * is in the store (a missed wake-up is caught up by the session keeper's renewal pass, a missed
 * answer times the request out). Several nodes may share one broker (one subscription each).
 */
export class RedisBus implements BrokerBus {
  private readonly logger = new Logger('RedisBroker');
  private readonly listeners = new Map<string, (event: NodeEvent) => void>();
  private readonly channelNodes = new Map<string, string>();

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    subscriber.on('message', (channel: string, text: string) => this.receive(channel, text));
  }

  async join(node: string, listener: (event: NodeEvent) => void): Promise<void> {
    const channel = this.keys.nodeChannel(node);
    this.listeners.set(node, listener);
    this.channelNodes.set(channel, node);
    await this.subscriber.subscribe(this.keys.allChannel, channel);
  }

  async leave(node: string): Promise<void> {
    if (!this.listeners.delete(node)) return;
    const channel = this.keys.nodeChannel(node);
    this.channelNodes.delete(channel);
    const channels = this.listeners.size === 0 ? [channel, this.keys.allChannel] : [channel];
    if (this.subscriber.status === 'ready') await this.subscriber.unsubscribe(...channels);
  }

  async send(node: string, event: NodeEvent): Promise<void> {
    await this.publisher.publish(this.keys.nodeChannel(node), JSON.stringify({ e: event } satisfies BusMessage));
  }

  async publish(event: NodeEvent): Promise<void> {
    await this.publisher.publish(this.keys.allChannel, JSON.stringify({ e: event } satisfies BusMessage));
  }

  /** Wakes the sessions on `node` (their links are held there). Never rejects: a lost wake-up only delays. */
  wake(node: string, sessionIds: string[]): void {
    this.hint(this.keys.nodeChannel(node), { w: sessionIds });
  }

  /** Wakes the sessions on every node but `origin` (a session with no link may have a pull waiting anywhere). */
  wakeOthers(origin: string, sessionIds: string[]): void {
    this.hint(this.keys.allChannel, { w: sessionIds, x: origin });
  }

  /** Hands an event to a node of this process directly (what the keeper learnt from the store). */
  deliverLocal(node: string, event: NodeEvent): void {
    this.listeners.get(node)?.(event);
  }

  /** The nodes of this process on the bus. */
  get nodes(): string[] {
    return [...this.listeners.keys()];
  }

  /** Subscribes again to every channel (after the subscriber connection came back). */
  async resubscribe(): Promise<void> {
    if (this.listeners.size === 0) return;
    await this.subscriber.subscribe(this.keys.allChannel, ...this.channelNodes.keys());
  }

  private hint(channel: string, message: BusMessage): void {
    this.publisher.publish(channel, JSON.stringify(message)).catch((err: unknown) => this.logger.warn(`A wake-up was not published: ${String(err)}`));
  }

  private receive(channel: string, text: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      return; // not ours: someone else published on our prefix
    }
    const node = this.channelNodes.get(channel);
    const targets = node !== undefined ? [node] : channel === this.keys.allChannel ? [...this.listeners.keys()] : [];
    for (const target of targets) {
      const listener = this.listeners.get(target);
      if (listener === undefined) continue;
      if ('e' in message) listener(message.e);
      else if (message.x !== target) for (const sessionId of message.w) listener({ kind: 'wake', sessionId });
    }
  }
}
