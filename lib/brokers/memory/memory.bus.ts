import type { BrokerBus, NodeEvent } from '../broker.js';

/**
 * Node-to-node events between the apps of one process that share a MemoryBroker. Delivered on a
 * microtask, never inside the sender's call, as a network bus would.
 */
export class MemoryBus implements BrokerBus {
  private readonly nodes = new Map<string, (event: NodeEvent) => void>();

  async join(node: string, listener: (event: NodeEvent) => void): Promise<void> {
    this.nodes.set(node, listener);
  }

  async leave(node: string): Promise<void> {
    this.nodes.delete(node);
  }

  async send(node: string, event: NodeEvent): Promise<void> {
    const listener = this.nodes.get(node);
    if (listener !== undefined) queueMicrotask(() => listener(event));
  }

  async publish(event: NodeEvent): Promise<void> {
    for (const listener of this.nodes.values()) queueMicrotask(() => listener(event));
  }

  /** Wakes every node but `origin` (a session with no push link may have a waiter anywhere). */
  wakeOthers(origin: string, sessionId: string): void {
    for (const [node, listener] of this.nodes) {
      if (node !== origin) queueMicrotask(() => listener({ kind: 'wake', sessionId }));
    }
  }

  get size(): number {
    return this.nodes.size;
  }
}
